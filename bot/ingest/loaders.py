"""Loading documents: one file to a cleaned `Document`, or a whole knowledge folder.

This is the only entry point the rest of the bot uses for files; it checks size and type
before any parser runs, so every refusal is a `DocumentError` with one sentence naming the
file, fit to show in a chat reply or an admin report.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from bot.errors import DocumentError
from bot.ingest import formats
from bot.ingest.debris import clean_text
from bot.ingest.safe_files import is_link, read_regular_file
from bot.types import Document

log = logging.getLogger(__name__)
DEFAULT_MAX_BYTES = 10_000_000
SUPPORTED = (".md", ".txt", ".html", ".htm", ".pdf")
META_KEYS = ("title", "publisher", "date", "kind", "origin")
_TITLE_MAX = 200

_EXTRACTORS: dict[str, Callable[[str, bytes], formats.Extracted]] = {
    ".md": formats.extract_markdown,
    ".txt": formats.extract_text,
    ".html": formats.extract_html,
    ".htm": formats.extract_html,
    ".pdf": formats.extract_pdf,
}


def slugify(stem: str) -> str:
    """A stable id from a file name: lowercase ASCII letters, digits and single dashes."""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-")
    return slug or "document"


def _read(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, after the type (regular file, not a link) and size checks."""
    data = read_regular_file(path, max_bytes)
    if not data:
        raise DocumentError(f"{path.name or path}: the file is empty.")
    return data


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _shorten(title: str) -> str:
    title = " ".join(title.split()).removeprefix("- ")
    if len(title) <= _TITLE_MAX:
        return title
    return title[:_TITLE_MAX].rsplit(" ", 1)[0] + "…"


def load_document(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, overrides: dict[str, str] | None = None
) -> Document:
    """Load, sniff, extract and clean one file; `overrides` replace extracted metadata.

    `overrides` may set title, publisher, date, kind and origin (e.g. the URL a page was
    fetched from); any other key is a programming error (ValueError).
    """
    given = str(path)
    path = Path(path)
    name = path.name or given
    unknown = set(overrides or {}) - set(META_KEYS)
    if unknown:
        raise ValueError(f"unknown metadata override(s): {', '.join(sorted(unknown))}")
    ext = path.suffix.lower()
    if ext not in _EXTRACTORS:
        shown = f"'{ext}'" if ext else "(no extension)"
        raise DocumentError(f"{name}: unsupported file type {shown} (use .md, .txt, .html, .htm or .pdf).")
    data = _read(path, max_bytes)
    raw_text, meta = _EXTRACTORS[ext](name, data)
    if not raw_text.strip():
        raise DocumentError(f"{name}: the file contains no text.")
    text = clean_text(raw_text)
    if sum(map(str.isalpha, text)) < 2:
        raise DocumentError(
            f"{name}: no readable text was left once page boilerplate (menus, forms, footers) was removed."
        )
    meta.update({k: str(v).strip() for k, v in (overrides or {}).items() if v is not None and str(v).strip()})
    return Document(
        doc_id=slugify(path.stem),
        path=given,
        title=_shorten(meta.get("title") or _first_line(text)),
        publisher=meta.get("publisher") or "unknown",
        date=meta.get("date") or "",
        kind=meta.get("kind") or "document",
        origin=meta.get("origin") or name,
        text=text,
        content_hash=hashlib.sha256(data).hexdigest(),
    )


def is_candidate(path: Path) -> bool:
    """Whether a folder entry is meant to be a document (others are skipped silently)."""
    name = path.name
    if name.startswith(".") or name.upper().startswith("README") or name.lower() == "principles.yaml":
        return False
    # a link is a candidate so that it is reported (and refused), not silently skipped
    return path.suffix.lower() in SUPPORTED and (is_link(path) or path.is_file())


def load_knowledge_dir(folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[Document], list[str]]:
    """Every document of `folder` sorted by file name, and one sentence per file skipped
    (symbolic links among them: they are never read through)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DocumentError(f"{folder}: the knowledge folder does not exist.")
    documents: list[Document] = []
    errors: list[str] = []
    owners: dict[str, str] = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not is_candidate(path):
            continue
        try:
            doc = load_document(path, max_bytes=max_bytes)
        except DocumentError as err:
            if is_link(path):
                log.warning("%s", err)
            errors.append(str(err))
            continue
        if doc.doc_id in owners:
            errors.append(
                f"{path.name}: skipped because {owners[doc.doc_id]} has the same name (document id '{doc.doc_id}')."
            )
            continue
        owners[doc.doc_id] = path.name
        documents.append(doc)
    return documents, errors
