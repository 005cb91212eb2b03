"""Safe file names for documents users upload: they can never escape knowledge/."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath

MAX_STEM = 80


def safe_filename(name: str, suffix: str, taken: set[str]) -> str:
    """A plain, unique `stem.suffix`: no folders, no leading dots, ASCII letters, digits, - _.

    Path parts (`../`, `C:\\`, absolute paths) are dropped, odd characters become '-',
    and a counter is appended when the name, or the document id it gives, is taken.
    """
    from bot.ingest.loaders import slugify

    base = PureWindowsPath(PurePosixPath(name or "").name).name
    stem = Path(base).stem if Path(base).suffix.lower() == suffix.lower() else base
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_.").lower()[:MAX_STEM] or "document"
    if stem.startswith("readme"):  # the ingester skips README* files: the upload would be lost
        stem = f"doc-{stem}"[:MAX_STEM]
    candidate = f"{stem}{suffix}"
    counter = 2
    lowered = {t.lower() for t in taken}
    # report.md and report.txt (or my_doc / my-doc) share a document id: the build keeps one only
    ids = {slugify(Path(t).stem) for t in taken}
    while candidate.lower() in lowered or slugify(Path(candidate).stem) in ids:
        candidate = f"{stem}-{counter}{suffix}"
        counter += 1
    return candidate
