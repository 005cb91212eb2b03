"""What is in the knowledge folder, cheaply (file hashes), and whether an index is stale."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from bot.errors import DocumentError
from bot.ingest.safe_files import is_link, read_regular_file

DOCUMENT_SUFFIXES = (".md", ".txt", ".html", ".htm", ".pdf")
# Metadata an admin gave for a document (title, publisher, date, origin) lives beside it.
SIDECAR_SUFFIX = ".meta.yaml"
SIDECAR_MAX_BYTES = 100_000
# Bump when cleaning or chunking rules change, so existing indexes rebuild.
INGEST_VERSION = 4


def is_document_file(path: Path) -> bool:
    """The files the ingester reads: documents, not the principles list, READMEs or links."""
    name = path.name
    return (
        path.is_file()
        and not is_link(path)
        and not name.startswith(".")
        and not name.upper().startswith("README")
        and path.suffix.lower() in DOCUMENT_SUFFIXES
    )


def is_sidecar_file(path: Path) -> bool:
    return (
        path.is_file() and not is_link(path) and not path.name.startswith(".") and path.name.endswith(SIDECAR_SUFFIX)
    )


def sidecar_for(document: Path) -> Path:
    return document.with_name(document.name + SIDECAR_SUFFIX)


def read_sidecar(document: Path) -> dict[str, str]:
    """The admin-given metadata for a document, or {} (a broken sidecar is ignored)."""
    import yaml

    path = sidecar_for(document)
    if not is_sidecar_file(path):
        return {}
    try:
        data = yaml.safe_load(read_regular_file(path, SIDECAR_MAX_BYTES).decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, DocumentError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: str(v) for k, v in data.items() if k in ("title", "publisher", "date", "origin") and v}


def scan_sources(folder: Path) -> dict[str, str]:
    """{file name: sha256 of its bytes} for every document and metadata file in `folder`."""
    if not folder.is_dir():
        return {}
    hashes = {}
    for path in sorted(folder.iterdir()):
        if is_document_file(path) or is_sidecar_file(path):
            try:
                hashes[path.name] = hashlib.sha256(read_regular_file(path)).hexdigest()
            except DocumentError:  # swapped for a link (or removed) since listed: not a source
                continue
    return hashes


def stale_reason(manifest: dict[str, Any], settings, model_id: str, hashes: dict[str, str]) -> str | None:
    """Why an index no longer matches the documents or settings, or None if it does."""
    if manifest.get("model_id") != model_id:
        return f"it was built with {manifest.get('model_id')}, the config asks for {model_id}"
    if manifest.get("chunking") != settings.chunking.model_dump():
        return "the chunking settings changed"
    if manifest.get("ingest_version") != INGEST_VERSION:
        return "the ingestion rules changed"
    if manifest.get("index_type") != settings.retrieval.index_type:
        return "the index type changed"
    built = manifest.get("files", {})
    if built != hashes:
        added = sorted(set(hashes) - set(built))
        removed = sorted(set(built) - set(hashes))
        changed = sorted(n for n in set(hashes) & set(built) if hashes[n] != built[n])
        parts = [f"{label}: {', '.join(names)}" for label, names in
                 (("added", added), ("removed", removed), ("changed", changed)) if names]
        return "the documents changed (" + "; ".join(parts) + ")"
    return None
