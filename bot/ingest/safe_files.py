"""Reading a document file without following symbolic links, race-free.

A link named `report.txt` that points at /etc/passwd (in an upload folder, or placed in
knowledge/) would otherwise be read and quoted in answers. The file is opened with
O_NOFOLLOW, so a link swapped in after any earlier check is refused by the kernel, and the
type and size are checked on the open descriptor, so they are those of what is read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from bot.errors import DocumentError

_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
# O_NONBLOCK: opening a named pipe must not wait for a writer (it is then refused by type).
_FLAGS = os.O_RDONLY | _NO_FOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 20


def megabytes(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB".replace(".0 MB", " MB")
    return f"{size / 1000:.1f} kB".replace(".0 kB", " kB")


def is_link(path: Path) -> bool:
    """Whether `path` itself is a symbolic link (never raises)."""
    try:
        return path.is_symlink()
    except OSError:
        return False


def link_refusal(name: str) -> str:
    return f"{name}: this is a symbolic link, not a regular file; links are not followed."


def read_regular_file(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of `path` if it is a regular file (not a link) of at most `max_bytes`.

    Every refusal is a `DocumentError` with one sentence naming the file.
    """
    name = path.name or str(path)
    if _NO_FOLLOW == 0 and is_link(path):  # no O_NOFOLLOW on this platform: check first
        raise DocumentError(link_refusal(name))
    try:
        fd = os.open(path, _FLAGS)
    except OSError as err:
        raise DocumentError(_open_refusal(path, name, err)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise DocumentError(f"{name}: this is a folder, not a file.")
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(f"{name}: this is not a regular file (a device, pipe or socket).")
        limit = max_bytes if max_bytes is not None else info.st_size
        if max_bytes is not None and info.st_size > max_bytes:
            raise DocumentError(f"{name}: {megabytes(info.st_size)} is over the {megabytes(max_bytes)} limit.")
        data = _read_at_most(fd, limit + 1 if max_bytes is not None else None)
    except OSError as err:
        reason = (err.strerror or err.__class__.__name__).lower()
        raise DocumentError(f"{name}: the file could not be read ({reason}).") from None
    finally:
        os.close(fd)
    if max_bytes is not None and len(data) > max_bytes:  # grew after the size check
        raise DocumentError(f"{name}: {megabytes(len(data))} is over the {megabytes(max_bytes)} limit.")
    return data


def _read_at_most(fd: int, limit: int | None) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while limit is None or total < limit:
        chunk = os.read(fd, _CHUNK if limit is None else min(_CHUNK, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _open_refusal(path: Path, name: str, err: OSError) -> str:
    if err.errno == errno.ELOOP or is_link(path):  # what O_NOFOLLOW answers for a link
        return link_refusal(name)
    if err.errno == errno.ENOENT:
        return f"{name}: the file does not exist."
    if err.errno == errno.EISDIR:
        return f"{name}: this is a folder, not a file."
    reason = (err.strerror or err.__class__.__name__).lower()
    return f"{name}: the file could not be read ({reason})."
