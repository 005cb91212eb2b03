"""Index lifecycle: load the serving version, decide when to rebuild, build and promote.

Shared by the bot core (start-up, hot reload) and the admin knowledge operations. Every
build reads a staged copy of the documents (the new version's own `sources/` folder), so
knowledge/ changes only after the version built from it is promoted; an operation journal
lets the next start finish or undo an operation cut short (see `bot/index/journal.py`).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from bot.config import Settings
from bot.embedding.base import Embedder
from bot.errors import BuildInProgressError, IndexCorruptError, KnowledgeError
from bot.index.builder import BuildResult, Progress, build_index
from bot.index.journal import COMPLETED, ROLLED_BACK, Intent, Journal, Recovery
from bot.index.sources import DOCUMENT_SUFFIXES, is_document_file, is_sidecar_file, scan_sources, stale_reason
from bot.index.store import IndexData, read_manifest, read_version, write_version
from bot.index.versions import VersionStore
from bot.ingest.safe_files import is_link, link_refusal

log = logging.getLogger(__name__)
SNAPSHOT = "sources"

# A gate looks at a finished build before promotion; it returns a refusal sentence or None.
Gate = Callable[[IndexData], "str | None"]
# Writes the audit row for an operation finished or undone at recovery.
Recorder = Callable[[Recovery], None]


@dataclass(frozen=True)
class DocumentChanges:
    """What an operation changes in knowledge/: new bytes by file name, names to delete."""

    write: dict[str, bytes] = field(default_factory=dict)
    delete: tuple[str, ...] = ()


@dataclass(frozen=True)
class Loaded:
    """The version to serve, why it was built first (if it was), why it is stale (if it is)."""

    data: IndexData
    rebuilt: str | None = None
    stale: str | None = None


class IndexManager:
    """Owns the index folder for one configuration and embedder."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.store = VersionStore(settings.index_path)
        self.journal = Journal(settings.index_path)
        self.recorder: Recorder | None = None  # set by whoever owns the audit log

    # -- reading -------------------------------------------------------------------------
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

    def load_version(self, version: str) -> IndexData:
        return read_version(self.store.path(version))

    def current_manifest(self) -> dict:
        """The manifest of the version CURRENT points at (cheap: no vectors are read)."""
        version = self.store.current()
        if version is None:
            raise IndexCorruptError("no index has been built yet.")
        return read_manifest(self.store.path(version))

    def previous_data(self) -> IndexData | None:
        """The current version for vector reuse and the quality gate, if it is readable."""
        try:
            return self.load_current()
        except IndexCorruptError:
            return None

    def load_serving(self) -> tuple[IndexData | None, str | None]:
        """The last good version (readable, checksums valid, same model), without building;
        and why it is stale, or None. (None, reason) when no version can serve."""
        current = self.store.current()
        candidates = ([current] if current else []) + [v for v in reversed(self.store.history()) if v != current]
        problem = None
        for version in candidates:
            try:
                data = read_version(self.store.path(version))
            except IndexCorruptError as err:
                problem = problem or str(err)
                continue
            if data.manifest.get("model_id") != self.embedder.model_id:  # its vectors cannot answer
                problem = problem or self.stale_reason(version)
                continue
            return data, problem or self.stale_reason(version)
        return None, problem or "no index has been built yet"

    def load_or_build(self, progress: Progress | None = None, build: Callable[[], IndexData] | None = None) -> Loaded:
        """The last good version at once (stale or not); built first only when none can serve.

        `build` (called holding the build lock) replaces the plain build, e.g. an audited one.
        """
        data, reason = self.load_serving()
        if data is not None:
            return Loaded(data, stale=reason)
        with self.store.build_lock(wait=True):
            # another process (a second bot, the CLI) may have built it while we waited
            data, again = self.load_serving()
            if data is not None:
                return Loaded(data, stale=again)
            log.warning("building the index first: %s", reason)
            if build is not None:
                data = build()
            else:
                data = self.build_and_promote(progress=progress, locked=True).data
        return Loaded(data, rebuilt=reason)

    # -- building ------------------------------------------------------------------------
    @contextlib.contextmanager
    def build_lock(self, wait: bool = False) -> Iterator[None]:
        """One build at a time across processes (see VersionStore.build_lock)."""
        with self.store.build_lock(wait=wait):
            yield

    def build(self, progress: Progress | None = None, previous: IndexData | None = None) -> BuildResult:
        """Build in memory only (dry runs and quality gates use this)."""
        return build_index(self.settings, self.embedder, previous=previous, progress=progress)

    def build_and_promote(
        self,
        progress: Progress | None = None,
        previous: IndexData | None = None,
        gate: Gate | None = None,
        locked: bool = False,
        changes: DocumentChanges | None = None,
        intent: Intent | None = None,
    ) -> BuildResult:
        """Build a new version beside the serving one from a staged copy of the documents
        (with `changes` applied), promote it atomically, then apply `changes` to knowledge/.

        With an `intent`, the journal names the version before it is promoted, so a crash
        between promotion and knowledge/ being updated is finished at the next start.
        """
        if not locked:
            with self.store.build_lock():
                return self.build_and_promote(progress, previous, gate, True, changes, intent)
        changes = changes or DocumentChanges()
        tmp = self.store.new_tmp_dir()
        try:
            staged = tmp / SNAPSHOT
            links = self._stage_sources(staged, changes)
            settings = self.settings.with_overrides(knowledge_dir=str(staged))
            prior = previous if previous is not None else self.previous_data()
            result = build_index(settings, self.embedder, previous=prior, progress=progress)
            if links:
                result = replace(result, skipped=result.skipped + links)
            if gate is not None:
                refusal = gate(result.data)
                if refusal:
                    raise KnowledgeError(refusal)
            write_version(tmp, result.data)
            if intent is not None:
                self.journal.write(replace(intent, written=tuple(changes.write), deleted=changes.delete,
                                           version=result.data.version))
            self.store.promote(tmp, result.data.version)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.publish(result.data.version, tuple(changes.write), changes.delete)
        self.store.prune(self.settings.knowledge_ops.keep_versions)
        return result

    def _stage_sources(self, target: Path, changes: DocumentChanges) -> tuple[str, ...]:
        """Copy the documents of knowledge/ with `changes` applied: the new version reads these.

        Returns the warnings for symbolic links found there: they are never read through."""
        target.mkdir(parents=True, exist_ok=True)
        folder = self.settings.knowledge_path
        links: list[str] = []
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if is_link(path) and path.suffix.lower() in DOCUMENT_SUFFIXES:
                    links.append(link_refusal(path.name) + " It was skipped.")
                    log.warning("%s", links[-1])
                elif (is_document_file(path) or is_sidecar_file(path)) and path.name not in changes.delete:
                    shutil.copy2(path, target / path.name)
        for name in changes.delete:
            (target / name).unlink(missing_ok=True)
        for name, data in changes.write.items():
            (target / name).write_bytes(data)
        return tuple(links)

    def publish(self, version: str, written: tuple[str, ...], deleted: tuple[str, ...]) -> None:
        """Make knowledge/ agree with a promoted version for the files an operation changed
        (idempotent: recovery runs it again after a crash)."""
        snapshot = self.store.path(version) / SNAPSHOT
        folder = self.settings.knowledge_path
        folder.mkdir(parents=True, exist_ok=True)
        for name in written:
            tmp = folder / f".{name}.restore"
            shutil.copy2(snapshot / name, tmp)
            tmp.replace(folder / name)
        for name in deleted:
            (folder / name).unlink(missing_ok=True)

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

    # -- rollback and recovery -----------------------------------------------------------
    def begin(self, intent: Intent) -> Intent:
        """Journal an operation before it changes anything (hold the build lock)."""
        return self.journal.write(intent)

    def finish(self) -> None:
        """The journaled operation is done and audited."""
        self.journal.clear()

    def abandon(self) -> None:
        """The journaled operation failed: finish it if its version was promoted before the
        failure (recover() writes its row), else forget it (it changed nothing that serves)."""
        intent = self.journal.read()
        if intent is not None and intent.version is not None and intent.version == self.store.current():
            self.recover(locked=True)
        self.journal.clear()

    def rollback_target(self) -> str | None:
        return self.store.rollback_target()

    def roll_back_to(self, version: str, intent: Intent) -> IndexData:
        """Serve `version` again with its documents: pointer first (journaled), then knowledge/."""
        data = read_version(self.store.path(version))
        if not (self.store.path(version) / SNAPSHOT).is_dir():
            raise KnowledgeError(f"index version {version} has no copy of its documents; nothing was changed.")
        self.journal.write(replace(intent, version=version))
        self.store.roll_back_to(version)
        self.restore_sources(version)
        return data

    def recover(self, locked: bool = False) -> Recovery | None:
        """Finish or undo an operation a crash cut short (its journal is still there).

        Promoted (CURRENT names its version): knowledge/ is brought in line with it and the
        operation counts as done. Otherwise nothing that serves was changed, so it is rolled
        back. The recorder writes the audit row, then the journal goes; with no recorder the
        journal stays for the next recovery (the repair is idempotent).
        """
        intent = self.journal.read()
        if intent is None:
            return None
        if not locked:
            try:
                with self.store.build_lock():
                    return self.recover(locked=True)
            except BuildInProgressError:
                return None  # the operation is still running in another process
        current = self.store.current()
        if intent.version is not None and intent.version == current and self.store.path(current).is_dir():
            if intent.action == "rollback":
                self.restore_sources(current)
            else:
                self.publish(current, intent.written, intent.deleted)
            recovery = Recovery(intent, COMPLETED)
        else:
            recovery = Recovery(intent, ROLLED_BACK)
        log.warning("an interrupted '%s %s' by %s was %s", intent.action, intent.target, intent.actor.label(),
                    recovery.outcome.replace("interrupted; ", ""))
        if self.recorder is not None:
            try:
                self.recorder(recovery)
            except Exception as err:  # e.g. a locked audit database: keep the journal, retry later
                log.warning("could not record the recovery in the audit log yet (%s); will retry", err)
                return recovery
            self.journal.clear()
        return recovery
