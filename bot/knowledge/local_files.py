"""Documents an admin names on the command line: files, or the documents of a folder.

Only regular files are read. A symbolic link, given as the path or found in a folder, is
refused with one sentence rather than skipped, so the admin learns why it was not added;
each file is opened without following links (`read_regular_file`), so a link swapped in
after the listing is refused too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from bot.errors import DocumentError, KnowledgeError
from bot.index.sources import DOCUMENT_SUFFIXES, is_document_file
from bot.ingest.safe_files import is_link, read_regular_file

_NOTHING = "Nothing was changed."


class PathRefused(KnowledgeError):
    """A refusal naming the path it is about (the audit log's target)."""

    def __init__(self, target: Path, message: str) -> None:
        super().__init__(message)
        self.target = str(target)


@dataclass(frozen=True)
class LocalDocument:
    name: str
    data: bytes


def _named_like_document(path: Path) -> bool:
    name = path.name
    return path.suffix.lower() in DOCUMENT_SUFFIXES and not name.startswith(".") and not name.upper().startswith("README")


def _files_of(path: Path) -> list[Path]:
    if is_link(path):
        raise PathRefused(path, f"{path}: this is a symbolic link, not a regular file; links are not followed. {_NOTHING}")
    if not path.is_dir():
        return [path]
    entries = sorted(path.iterdir())
    for entry in entries:
        if is_link(entry) and _named_like_document(entry):
            raise PathRefused(entry, f"{entry}: this is a symbolic link, not a regular file; links are not followed. "
                                     f"{_NOTHING}")
    files = [entry for entry in entries if is_document_file(entry)]
    if not files:
        raise PathRefused(path, f"{path}: the folder has no .md, .txt, .html, .htm or .pdf files. {_NOTHING}")
    return files


def read_local_documents(paths: Iterable[Path], max_bytes: int) -> list[LocalDocument]:
    """The name and bytes of every document named; raises `PathRefused` on the first problem."""
    documents: list[LocalDocument] = []
    for path in map(Path, paths):
        for file in _files_of(path):
            try:
                data = read_regular_file(file, max_bytes)
            except DocumentError as err:
                reason = str(err).split(": ", 1)[-1]
                if reason == "the file does not exist.":
                    raise PathRefused(file, f"{file}: no such file. {_NOTHING}") from None
                shown = file.name if "limit" in reason else str(file)
                raise PathRefused(file, f"{shown}: {reason} {_NOTHING}") from None
            documents.append(LocalDocument(file.name, data))
    return documents
