"""Safe file names for documents users upload: they can never escape knowledge/."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath

MAX_STEM = 80


def safe_filename(name: str, suffix: str, taken: set[str]) -> str:
    """A plain, unique `stem.suffix`: no folders, no leading dots, ASCII letters, digits, - _.

    Path parts (`../`, `C:\\`, absolute paths) are dropped, odd characters become '-',
    and a counter is appended when the name is taken.
    """
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    stem = Path(base).stem if Path(base).suffix.lower() == suffix.lower() else base
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_.").lower()[:MAX_STEM] or "document"
    candidate = f"{stem}{suffix}"
    counter = 2
    lowered = {t.lower() for t in taken}
    while candidate.lower() in lowered:
        candidate = f"{stem}-{counter}{suffix}"
        counter += 1
    return candidate
