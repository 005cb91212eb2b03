"""Admin knowledge operations, shared by the CLI and the chat adapters.

Every operation holds the build lock and is journaled before it changes anything; it
builds a new index version from a staged copy of the documents (its own `sources/`),
promotes it atomically and only then changes knowledge/, so knowledge/ never holds a
document no promoted version was built from. A `kill -9` at any point is finished or
undone at the next start (`IndexManager.recover`). Each attempt, refused or not, goes
into the audit log.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator, NoReturn

import yaml

from bot.config import Settings
from bot.embedding.base import Embedder
from bot.errors import CallbotError, KnowledgeError
from bot.index.builder import BuildResult, chunk_all
from bot.index.journal import COMPLETED, Intent, Recovery
from bot.index.manager import DocumentChanges, IndexManager
from bot.index.sources import SIDECAR_SUFFIX, is_document_file, scan_sources, sidecar_for
from bot.index.store import IndexData
from bot.storage.stores import open_audit
from bot.knowledge.audit import AuditEntry, AuditLog
from bot.knowledge.filenames import safe_filename
from bot.knowledge.gate import QualityGate
from bot.knowledge.report import DocumentRecord, OpReport, Plan
from bot.knowledge.validation import Candidate, validate_upload
from bot.types import Actor

# Who the audit log names for a rebuild nobody asked for (a stale index at start-up).
AUTOMATIC = Actor(platform="callbot", user_id="automatic", display_name="automatic rebuild")


class AuditedKnowledgeError(KnowledgeError):
    """A refusal whose audit row is already written (the lock must not write another)."""


class KnowledgeOps:
    """Works on one index manager; `serve` swaps a promoted version in (hot reload) and
    `serving` returns the version being served, or None before start-up."""

    def __init__(
        self,
        index: IndexManager,
        settings: Settings,
        embedder: Embedder,
        serve: Callable[[IndexData], None],
        serving: Callable[[], IndexData | None],
    ) -> None:
        self.index = index
        self.settings = settings
        self.embedder = embedder
        self._serve = serve
        self._serving = serving
        self.audit: AuditLog = open_audit(settings)

    @property
    def folder(self) -> Path:
        return self.settings.knowledge_path

    # -- adding ----------------------------------------------------------------------------
    def add_paths(self, paths: Iterable[Path], actor: Actor, force: bool = False, **meta: str | None) -> OpReport:
        """Add files, or every document file in the given folders (regular files only)."""
        from bot.knowledge.local_files import PathRefused, read_local_documents

        try:
            documents = read_local_documents(paths, self.settings.limits.max_document_bytes)
        except PathRefused as err:
            self._refuse(actor, "add", err.target, str(err))
        uploads = [(doc.name, doc.data, doc.name) for doc in documents]
        return self._add(uploads, actor, meta, force)

    def add_bytes(self, name: str, data: bytes, actor: Actor, force: bool = False, **meta: str | None) -> OpReport:
        """Add one uploaded document (a chat attachment)."""
        return self._add([(name, data, name)], actor, meta, force)

    def add_url(self, url: str, actor: Actor, force: bool = False, **meta: str | None) -> OpReport:
        """Fetch an http(s) document and add it; its origin is the URL."""
        from bot.knowledge.fetch import fetch_document

        ops = self.settings.knowledge_ops
        try:
            fetched = fetch_document(
                url,
                max_bytes=self.settings.limits.max_document_bytes,
                timeout=ops.fetch_timeout_seconds,
                allow_private=ops.allow_private_urls,
            )
        except KnowledgeError as err:
            self._refuse(actor, "add", url, str(err))
        return self._add([(fetched.file_name, fetched.data, url)], actor, meta, force)

    def _add(self, uploads: list[tuple[str, bytes, str]], actor: Actor, meta: dict, force: bool) -> OpReport:
        overrides = {k: str(v) for k, v in meta.items() if v}
        targets = ", ".join(name for name, _, _ in uploads)
        with self._locked(actor, "add", targets) as intent:
            existing = {n: h for n, h in scan_sources(self.folder).items() if is_document_file(self.folder / n)}
            candidates: list[tuple[Candidate, str]] = []
            with tempfile.TemporaryDirectory(prefix="callbot-upload-") as staging:
                for i, (name, data, origin) in enumerate(uploads):
                    try:
                        candidate = validate_upload(
                            name, data, staging=Path(staging) / str(i), existing=existing,
                            max_bytes=self.settings.limits.max_document_bytes, overrides=overrides,
                        )
                    except KnowledgeError as err:
                        message = str(err)
                        if origin.startswith(("http://", "https://")):  # name the URL the admin gave
                            message = origin + message.removeprefix(name)
                        self._refuse(actor, "add", origin, message)
                    existing[name] = candidate.sha256
                    candidates.append((candidate, origin))
            write: dict[str, bytes] = {}
            taken = {p.name for p in self.folder.iterdir()} if self.folder.is_dir() else set()
            for candidate, origin in candidates:
                target = Path(safe_filename(candidate.original_name, candidate.suffix, taken))
                taken.add(target.name)
                write[target.name] = candidate.data
                sidecar = dict(overrides)
                if origin != target.name and not (candidate.suffix == ".md" and not origin.startswith("http")):
                    sidecar.setdefault("origin", origin)
                if sidecar:
                    write[sidecar_for(target).name] = yaml.safe_dump(sidecar, allow_unicode=True).encode("utf-8")
            result = self._build(intent, force, DocumentChanges(write=write))
            names = [name for name in write if not name.endswith(SIDECAR_SUFFIX)]
            for name in names:
                self.audit.record(actor, "add", name, "ok", f"version {result.data.version}")
        titles = "; ".join(c.document.title for c, _ in candidates)
        return self._report("add", result, f"Added {', '.join(names)} ({titles})", added=tuple(names))

    # -- removing, rebuilding, rolling back ------------------------------------------------
    def remove(self, doc: str, actor: Actor) -> OpReport:
        """Remove a document by id or file name and rebuild (no quality gate: intended loss)."""
        with self._locked(actor, "remove", doc) as intent:
            path = self._find(doc, actor)
            gone = tuple(p.name for p in (path, sidecar_for(path)) if p.exists())
            result = self._build(intent, True, DocumentChanges(delete=gone))
            self.audit.record(actor, "remove", path.name, "ok", f"version {result.data.version}")
        return self._report("remove", result, f"Removed {path.name}", removed=(path.name,))

    def rebuild(self, actor: Actor, force: bool = False, held: bool = False) -> OpReport:
        """Rebuild from knowledge/ as it is; `held`: the caller already holds the build lock."""
        with self._locked(actor, "build", str(self.folder), held=held) as intent:
            result = self._build(intent, force)
            self.audit.record(actor, "build", str(self.folder), "ok", f"version {result.data.version}")
        return self._report("build", result, "Rebuilt the index")

    def rollback(self, actor: Actor) -> OpReport:
        """Serve the version that served before the current one, with its documents."""
        with self._locked(actor, "rollback", "index") as intent:
            target = self.index.rollback_target()
            if target is None:
                self._refuse(actor, "rollback", "index", "there is no earlier index version to return to; nothing was changed.")
            data = self.index.roll_back_to(target, intent)
            self._serve(data)
            self.audit.record(actor, "rollback", target, "ok", "")
        docs = len(data.manifest.get("documents", {}))
        return OpReport("rollback", f"Rolled back to index version {target}: {docs} documents, "
                        f"{len(data.passages)} passages.", target, docs, len(data.passages))

    def plan(self) -> Plan:
        """What `index build` would change; embeds nothing and writes nothing."""
        from bot.errors import IndexCorruptError
        from bot.ingest import load_knowledge_dir

        before: dict = {}
        passages_before = 0
        with contextlib.suppress(IndexCorruptError):
            manifest = self.index.current_manifest()
            before, passages_before = manifest.get("files", {}), manifest.get("passages", 0)
        now = scan_sources(self.folder)
        documents, problems = load_knowledge_dir(self.folder, max_bytes=self.settings.limits.max_document_bytes)
        return Plan(
            added=tuple(sorted(set(now) - set(before))),
            changed=tuple(sorted(n for n in set(now) & set(before) if now[n] != before[n])),
            removed=tuple(sorted(set(before) - set(now))),
            passages_before=passages_before,
            passages_after=len(chunk_all(documents, self.settings)),
            problems=tuple(problems),
        )

    # -- reading -------------------------------------------------------------------------
    def list_documents(self) -> list[DocumentRecord]:
        self.index.recover()
        serving = self._serving()
        manifest = serving.manifest if serving is not None else self.index.current_manifest()
        added = self.audit.last_added()
        rows = []
        for file_name, meta in manifest.get("documents", {}).items():
            entry = added.get(file_name)
            rows.append(DocumentRecord(
                meta["doc_id"], file_name, meta["title"], meta["publisher"], meta["date"], meta["passages"],
                entry.at if entry else "with the repository",
                f"{entry.platform}:{entry.user_name or entry.user_id}" if entry else "-",
            ))
        return rows

    def log(self, limit: int = 50) -> list[AuditEntry]:
        self.index.recover()  # an operation cut short gets its row first
        return self.audit.entries(limit)

    def record_refusal(self, actor: Actor, action: str, reason: str, target: str = "") -> None:
        """For adapters: an unauthorised or invalid attempt that never reached an operation."""
        self.audit.record(actor, action, target, "refused", reason)

    def record_recovery(self, recovery: Recovery) -> None:
        """The audit row of an operation finished or undone after a crash (IndexManager.recorder)."""
        intent = recovery.intent
        if recovery.outcome != COMPLETED:
            self.audit.record(intent.actor, intent.action, intent.target, "interrupted", recovery.outcome)
            return
        detail = f"{COMPLETED}: version {intent.version}"
        changed = intent.written if intent.action == "add" else intent.deleted
        targets = [n for n in changed if not n.endswith(SIDECAR_SUFFIX)] if intent.action in ("add", "remove") else []
        if intent.action == "rollback":
            targets = [intent.version or intent.target]
        for target in targets or [intent.target]:
            self.audit.record(intent.actor, intent.action, target, "ok", detail)

    # -- internals -----------------------------------------------------------------------
    def _build(self, intent: Intent, force: bool, changes: DocumentChanges | None = None) -> BuildResult:
        serving = self._serving() or self.index.previous_data()
        gate = None if force else QualityGate(self.settings, self.embedder, serving)
        result = self.index.build_and_promote(previous=serving, gate=gate, locked=True, changes=changes, intent=intent)
        self._serve(result.data)
        return result

    def _find(self, doc: str, actor: Actor) -> Path:
        wanted = doc.strip()
        for path in sorted(self.folder.iterdir()) if self.folder.is_dir() else []:
            if is_document_file(path) and wanted in (path.name, path.stem):
                return path
        serving = self._serving()
        manifest = serving.manifest if serving is not None else {}
        for file_name, meta in manifest.get("documents", {}).items():
            if meta.get("doc_id") == wanted and (self.folder / file_name).exists():
                return self.folder / file_name
        self._refuse(actor, "remove", doc, f"no document '{doc}' in the knowledge base (see `index list`); nothing was changed.")

    def _refuse(self, actor: Actor, action: str, target: str, message: str) -> NoReturn:
        self.audit.record(actor, action, target, "refused", message)
        raise AuditedKnowledgeError(message)

    @contextlib.contextmanager
    def _locked(self, actor: Actor, action: str, target: str, held: bool = False) -> Iterator[Intent]:
        """The build lock and the journal; failures inside are audited ('refused' for user
        errors, else 'failed') and leave the serving version as it was."""
        with contextlib.ExitStack() as stack:
            if not held:
                try:
                    stack.enter_context(self.index.build_lock())
                except KnowledgeError as err:
                    self.audit.record(actor, action, target, "refused", str(err))
                    raise
            self.index.recover(locked=True)  # an earlier operation cut short is settled first
            intent = self.index.begin(Intent(action, target, actor))
            try:
                yield intent
            except BaseException as err:
                self.index.abandon()
                if not isinstance(err, AuditedKnowledgeError):
                    outcome = "refused" if isinstance(err, CallbotError) else "failed"
                    self.audit.record(actor, action, target, outcome, str(err) or err.__class__.__name__)
                if isinstance(err, Exception) and not isinstance(err, CallbotError):
                    raise KnowledgeError(
                        f"the rebuild failed ({err.__class__.__name__}); the serving index is unchanged."
                    ) from err
                raise
            self.index.finish()

    def _report(self, action: str, result: BuildResult, lead: str,
                added: tuple[str, ...] = (), removed: tuple[str, ...] = ()) -> OpReport:
        data = result.data
        docs = len(data.manifest.get("documents", {}))
        message = (f"{lead}. Index version {data.version}: {docs} documents, {len(data.passages)} passages, "
                   f"built in {result.seconds:.1f} s.")
        return OpReport(action, message, data.version, docs, len(data.passages), result.seconds,
                        result.embedded, result.reused, added=added, removed=removed, warnings=result.skipped)
