"""The index folder's layout: `versions/<id>/`, the `CURRENT` pointer, the build lock.

A version folder is written under a temporary name and renamed into place only when
complete, then `CURRENT` is replaced with `os.replace`; a crash or `kill -9` at any point
leaves the previous version serving.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, ContextManager, Iterator

from bot.errors import BuildInProgressError

POINTER = "CURRENT"
HISTORY = "HISTORY"
VERSIONS = "versions"
TMP_PREFIX = ".tmp-"


class VersionStore:
    """Knows where versions live and which one serves; holds no index data itself."""

    # Set by the storage wiring when several replicas share the folder: a lock held across
    # machines (Redis) around the local flock, and who to tell when CURRENT moves.
    shared_lock: Callable[[bool], ContextManager[None]] | None = None
    on_pointer_moved: Callable[[str], None] | None = None

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.versions_dir = self.root / VERSIONS

    def current(self) -> str | None:
        """The serving version id, or None when nothing was built yet."""
        try:
            value = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            return None
        return value or None

    def pointer_stamp(self) -> tuple[int, int] | None:
        """Cheap change detector for hot reload (inode and mtime of the pointer)."""
        try:
            st = (self.root / POINTER).stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def path(self, version: str) -> Path:
        return self.versions_dir / version

    def list_versions(self) -> list[str]:
        """Complete versions, oldest first (ids sort by build time)."""
        if not self.versions_dir.is_dir():
            return []
        return sorted(
            p.name for p in self.versions_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
        )

    def new_tmp_dir(self) -> Path:
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=self.versions_dir))

    def promote(self, tmp_dir: Path, version: str) -> None:
        """Rename a finished build into place, then point CURRENT at it."""
        final = self.path(version)
        os.replace(tmp_dir, final)
        _fsync_dir(self.versions_dir)
        self.set_current(version)  # before HISTORY: a kill in between leaves no phantom rollback target
        self._write_history(self.history() + [version])

    def history(self) -> list[str]:
        """Versions in the order they started serving (rollback walks it backwards)."""
        try:
            lines = (self.root / HISTORY).read_text(encoding="utf-8").split()
        except (FileNotFoundError, UnicodeDecodeError):
            return []
        return lines

    def _write_history(self, versions: list[str]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"{HISTORY}.{os.getpid()}.tmp"
        tmp.write_text("\n".join(versions[-200:]) + "\n", encoding="utf-8")
        os.replace(tmp, self.root / HISTORY)

    def rollback_target(self) -> str | None:
        """The version that served before the current one and still exists on disk."""
        current = self.current()
        history = [v for v in self.history() if self.path(v).is_dir()]
        if current and current not in history:  # killed between CURRENT and HISTORY
            history.append(current)
        while history and history[-1] != current:
            history.pop()
        return history[-2] if len(history) >= 2 else None

    def roll_back_to(self, version: str) -> None:
        """Point CURRENT at `version` and forget the versions served after it."""
        history = self.history()
        while history and history[-1] != version:
            history.pop()
        self._write_history(history or [version])
        self.set_current(version)

    def set_current(self, version: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"{POINTER}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(version + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.root / POINTER)
        _fsync_dir(self.root)
        if self.on_pointer_moved is not None:
            self.on_pointer_moved(version)  # never raises: other replicas still poll

    def prune(self, keep: int) -> list[str]:
        """Delete the oldest versions beyond `keep`, never the serving one, and leftovers of
        interrupted builds. Call only while holding the build lock (no build is writing)."""
        current = self.current()
        removed = []
        versions = self.list_versions()
        for version in versions[: max(0, len(versions) - keep)]:
            if version != current:
                shutil.rmtree(self.path(version), ignore_errors=True)
                removed.append(version)
        if self.versions_dir.is_dir():
            for leftover in self.versions_dir.glob(f"{TMP_PREFIX}*"):
                shutil.rmtree(leftover, ignore_errors=True)
        return removed

    @contextlib.contextmanager
    def build_lock(self, wait: bool = False) -> Iterator[None]:
        """One build at a time across processes (flock: released even on kill -9), and across
        replicas when a shared lock is set (taken first; it expires if its holder dies)."""
        with contextlib.ExitStack() as held:
            if self.shared_lock is not None:
                held.enter_context(self.shared_lock(wait))
            held.enter_context(self._local_lock(wait))
            yield

    @contextlib.contextmanager
    def _local_lock(self, wait: bool) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".build.lock", "a+") as fh:
            flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
            try:
                fcntl.flock(fh, flags)
            except BlockingIOError:
                raise BuildInProgressError(
                    "another index build is running; please try again when it has finished "
                    "(nothing was changed)."
                ) from None
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
