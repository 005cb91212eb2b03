"""Index lifecycle: load the serving version, decide when to rebuild, build and promote.

Shared by the bot core (start-up, hot reload) and the admin knowledge operations.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Callable

from bot.config import Settings
from bot.embedding.base import Embedder
from bot.errors import IndexCorruptError, KnowledgeError
from bot.index.builder import BuildResult, Progress, build_index
from bot.index.sources import is_document_file, is_sidecar_file, scan_sources, stale_reason
from bot.index.store import IndexData, read_manifest, read_version, write_version
from bot.index.versions import VersionStore

log = logging.getLogger(__name__)
SNAPSHOT = "sources"

# A gate looks at a finished build before promotion; it returns a refusal sentence or None.
Gate = Callable[[IndexData], "str | None"]


class IndexManager:
    """Owns the index folder for one configuration and embedder."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.store = VersionStore(settings.index_path)

    def stale_reason(self, version: str | None) -> str | None:
        """Why `version` cannot serve as is (missing, damaged, stale), or None."""
        if version is None:
            return "no index has been built yet"
        try:
            manifest = read_manifest(self.store.path(version))
        except IndexCorruptError as err:
            return str(err)
        return stale_reason(manifest, self.settings, self.embedder.model_id, scan_sources(self.settings.knowledge_path))

    def load_current(self) -> IndexData:
        version = self.store.current()
        if version is None:
            raise IndexCorruptError("no index has been built yet.")
        return read_version(self.store.path(version))

    def load_or_build(self, progress: Progress | None = None) -> tuple[IndexData, str | None]:
        """The serving version, rebuilt first if it is missing, stale or damaged.

        Returns the data and the reason a rebuild happened (None when it loaded as is).
        """
        reason = self.stale_reason(self.store.current())
        if reason is None:
            try:
                return self.load_current(), None
            except IndexCorruptError as err:
                reason = str(err)
        with self.store.build_lock(wait=True):
            # another process (a second bot, the CLI) may have built it while we waited
            if self.stale_reason(self.store.current()) is None:
                try:
                    return self.load_current(), None
                except IndexCorruptError:
                    pass
            log.warning("rebuilding the index: %s", reason)
            result = self.build_and_promote(progress=progress, previous=self._previous_data(), locked=True)
        return result.data, reason

    def _previous_data(self) -> IndexData | None:
        """The serving version for vector reuse, if it is readable."""
        try:
            return self.load_current()
        except IndexCorruptError:
            return None

    def build(self, progress: Progress | None = None, previous: IndexData | None = None) -> BuildResult:
        """Build in memory only (dry runs and quality gates use this)."""
        return build_index(self.settings, self.embedder, previous=previous, progress=progress)

    def build_and_promote(
        self,
        progress: Progress | None = None,
        previous: IndexData | None = None,
        gate: Gate | None = None,
        locked: bool = False,
    ) -> BuildResult:
        """Build a new version beside the serving one and switch to it atomically."""
        if not locked:
            with self.store.build_lock():
                return self.build_and_promote(progress, previous, gate, locked=True)
        result = self.build(progress, previous if previous is not None else self._previous_data())
        if gate is not None:
            refusal = gate(result.data)
            if refusal:
                raise KnowledgeError(refusal)
        tmp = self.store.new_tmp_dir()
        try:
            write_version(tmp, result.data)
            self._snapshot_sources(tmp / SNAPSHOT)
            self.store.promote(tmp, result.data.version)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.store.prune(self.settings.knowledge_ops.keep_versions)
        return result

    def _snapshot_sources(self, target: Path) -> None:
        """Copy the documents this version was built from, so rollback can restore them."""
        target.mkdir(parents=True, exist_ok=True)
        folder = self.settings.knowledge_path
        if folder.is_dir():
            for path in folder.iterdir():
                if is_document_file(path) or is_sidecar_file(path):
                    shutil.copy2(path, target / path.name)

    def restore_sources(self, version: str) -> None:
        """Make knowledge/ hold exactly the documents of `version` (for rollback)."""
        snapshot = self.store.path(version) / SNAPSHOT
        if not snapshot.is_dir():
            raise KnowledgeError(f"index version {version} has no copy of its documents; nothing was changed.")
        folder = self.settings.knowledge_path
        folder.mkdir(parents=True, exist_ok=True)
        wanted = {p.name for p in snapshot.iterdir() if p.is_file()}
        for path in folder.iterdir():
            if (is_document_file(path) or is_sidecar_file(path)) and path.name not in wanted:
                path.unlink()
        for name in wanted:
            tmp = folder / f".{name}.restore"
            shutil.copy2(snapshot / name, tmp)
            tmp.replace(folder / name)
