"""Validate an uploaded document before anything changes: size, type, text, duplicates."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from bot.errors import DocumentError, KnowledgeError
from bot.index.sources import DOCUMENT_SUFFIXES
from bot.types import Document

_WORDS = re.compile(r"[^\W\d_]{2,}")
MIN_WORDS = 5  # fewer words than one short sentence cannot answer anything
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<article", b"<main", b"<p>", b"<div")


@dataclass(frozen=True)
class Candidate:
    """A validated upload, staged in a temporary file, ready to be copied into knowledge/."""

    original_name: str
    suffix: str
    data: bytes
    sha256: str
    document: Document


def sniff_suffix(name: str, data: bytes) -> str:
    """The document type from the content, checked against the name's extension."""
    suffix = Path(name).suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        shown = suffix or "no extension"
        raise KnowledgeError(
            f"{name}: unsupported file type ({shown}); send a .md, .txt, .html, .htm or .pdf file. Nothing was changed."
        )
    head = data[:2048].lstrip().lower()
    is_pdf = data.startswith(b"%PDF-")
    if suffix == ".pdf" and not is_pdf:
        kind = "a zip archive" if data.startswith(b"PK\x03\x04") else "something else"
        raise KnowledgeError(f"{name}: the file is named .pdf but its content is {kind}, not a PDF. Nothing was changed.")
    if suffix != ".pdf" and is_pdf:
        raise KnowledgeError(f"{name}: the content is a PDF; name it .pdf. Nothing was changed.")
    if suffix in (".html", ".htm") and not any(marker in head for marker in _HTML_MARKERS):
        raise KnowledgeError(f"{name}: the file is named {suffix} but does not look like HTML. Nothing was changed.")
    return suffix


def validate_upload(
    name: str,
    data: bytes,
    *,
    staging: Path,
    max_bytes: int,
    existing: dict[str, str],
    overrides: dict[str, str] | None = None,
) -> Candidate:
    """Check an upload and extract its text; raises KnowledgeError with one clear sentence.

    `existing` maps file names already in knowledge/ to their sha256 (duplicate check).
    """
    from bot.ingest import load_document

    if len(data) > max_bytes:
        raise KnowledgeError(
            f"{name}: {len(data) / 1e6:.1f} MB is over the {max_bytes / 1e6:g} MB limit. Nothing was changed."
        )
    if not data.strip():
        raise KnowledgeError(f"{name}: the file is empty. Nothing was changed.")
    suffix = sniff_suffix(name, data)
    sha = hashlib.sha256(data).hexdigest()
    for existing_name, existing_sha in existing.items():
        if existing_sha == sha:
            raise KnowledgeError(
                f"{name}: the same document is already in the knowledge base as {existing_name}. Nothing was changed."
            )
    staging.mkdir(parents=True, exist_ok=True)
    staged = staging / f"upload{suffix}"
    staged.write_bytes(data)
    try:
        document = load_document(staged, max_bytes=max_bytes, overrides=overrides or None)
    except DocumentError as err:
        reason = str(err).split(": ", 1)[-1].rstrip(".")
        raise KnowledgeError(f"{name}: {reason}. Nothing was changed.") from None
    if len(_WORDS.findall(document.text)) < MIN_WORDS:
        raise KnowledgeError(
            f"{name}: it has almost no readable text (fewer than {MIN_WORDS} words). Nothing was changed."
        )
    return Candidate(original_name=name, suffix=suffix, data=data, sha256=sha, document=document)
