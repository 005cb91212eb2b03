"""Admin knowledge operations, shared by the CLI and the chat adapters.

Every operation holds the build lock, changes knowledge/ only after validation, builds a
new index version beside the serving one and promotes it atomically; on any failure the
files it touched are restored and the serving version is untouched. Each attempt, refused
or not, goes into the audit log.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import yaml

from bot.errors import CallbotError, KnowledgeError
from bot.index.builder import BuildResult, chunk_all
from bot.index.sources import is_document_file, scan_sources, sidecar_for
from bot.knowledge.audit import AuditEntry, AuditLog
from bot.knowledge.filenames import safe_filename
from bot.knowledge.gate import QualityGate
from bot.knowledge.report import DocumentRecord, OpReport, Plan
from bot.knowledge.validation import Candidate, validate_upload
from bot.types import Actor

if TYPE_CHECKING:
    from bot.core import BotCore


class KnowledgeOps:
    """Bound to one core, so a successful build is served at once (hot reload)."""

    def __init__(self, core: "BotCore") -> None:
        self.core = core
        self.settings = core.settings
        audit_path = self.settings.knowledge_ops.audit_db or str(self.settings.index_path / "audit.sqlite3")
        self.audit = AuditLog(Path(audit_path))

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
        with self._locked(actor, "add", targets):
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
            written: list[Path] = []
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                taken = {p.name for p in self.folder.iterdir()}
                for candidate, origin in candidates:
                    target = self.folder / safe_filename(candidate.original_name, candidate.suffix, taken)
                    taken.add(target.name)
                    target.write_bytes(candidate.data)
                    written.append(target)
                    sidecar = dict(overrides)
                    if origin != target.name and not (candidate.suffix == ".md" and not origin.startswith("http")):
                        sidecar.setdefault("origin", origin)
                    if sidecar:
                        sidecar_for(target).write_text(yaml.safe_dump(sidecar, allow_unicode=True), encoding="utf-8")
                        written.append(sidecar_for(target))
                result = self._build(actor, force)
            except BaseException:
                for path in written:
                    path.unlink(missing_ok=True)
                raise
        names = [p.name for p in written if is_document_file(p)]
        for name in names:
            self.audit.record(actor, "add", name, "ok", f"version {result.data.version}")
        titles = "; ".join(c.document.title for c, _ in candidates)
        return self._report("add", result, f"Added {', '.join(names)} ({titles})", added=tuple(names))

    # -- removing, rebuilding, rolling back ------------------------------------------------
    def remove(self, doc: str, actor: Actor) -> OpReport:
        """Remove a document by id or file name and rebuild (no quality gate: intended loss)."""
        with self._locked(actor, "remove", doc):
            path = self._find(doc, actor)
            saved = {p: p.read_bytes() for p in (path, sidecar_for(path)) if p.exists()}
            try:
                for p in saved:
                    p.unlink()
                result = self._build(actor, force=True)
            except BaseException:
                for p, data in saved.items():
                    p.write_bytes(data)
                raise
        self.audit.record(actor, "remove", path.name, "ok", f"version {result.data.version}")
        return self._report("remove", result, f"Removed {path.name}", removed=(path.name,))

    def rebuild(self, actor: Actor, force: bool = False) -> OpReport:
        with self._locked(actor, "build", str(self.folder)):
            result = self._build(actor, force)
        self.audit.record(actor, "build", str(self.folder), "ok", f"version {result.data.version}")
        return self._report("build", result, "Rebuilt the index")

    def rollback(self, actor: Actor) -> OpReport:
        """Serve the version that served before the current one, with its documents."""
        with self._locked(actor, "rollback", "index"):
            store = self.core.index.store
            target = store.rollback_target()
            if target is None:
                self._refuse(actor, "rollback", "index", "there is no earlier index version to return to; nothing was changed.")
            from bot.index.store import read_version

            data = read_version(store.path(target))
            self.core.index.restore_sources(target)
            store.roll_back_to(target)
            self.core.serve(data)
        self.audit.record(actor, "rollback", target, "ok", "")
        docs = len(data.manifest.get("documents", {}))
        return OpReport("rollback", f"Rolled back to index version {target}: {docs} documents, "
                        f"{len(data.passages)} passages.", target, docs, len(data.passages))

    def plan(self) -> Plan:
        """What `index build` would change; embeds nothing and writes nothing."""
        from bot.ingest import load_knowledge_dir

        store = self.core.index.store
        before: dict = {}
        passages_before = 0
        if store.current():
            from bot.index.store import read_manifest

            manifest = read_manifest(store.path(store.current()))
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
        manifest = self.core.serving.data.manifest if self.core.started else self.core.index.load_current().manifest
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
        return self.audit.entries(limit)

    def record_refusal(self, actor: Actor, action: str, reason: str, target: str = "") -> None:
        """For adapters: an unauthorised or invalid attempt that never reached an operation."""
        self.audit.record(actor, action, target, "refused", reason)

    # -- internals -----------------------------------------------------------------------
    def _build(self, actor: Actor, force: bool) -> BuildResult:
        manager = self.core.index
        serving = self.core.serving.data if self.core.started else manager._previous_data()
        gate = None if force else QualityGate(self.settings, self.core.embedder, serving)
        result = manager.build_and_promote(previous=serving, gate=gate, locked=True)
        self.core.serve(result.data)
        return result

    def _find(self, doc: str, actor: Actor) -> Path:
        wanted = doc.strip()
        for path in sorted(self.folder.iterdir()) if self.folder.is_dir() else []:
            if is_document_file(path) and wanted in (path.name, path.stem):
                return path
        manifest = self.core.serving.data.manifest if self.core.started else {}
        for file_name, meta in manifest.get("documents", {}).items():
            if meta.get("doc_id") == wanted and (self.folder / file_name).exists():
                return self.folder / file_name
        self._refuse(actor, "remove", doc, f"no document '{doc}' in the knowledge base (see `index list`); nothing was changed.")
        raise AssertionError("unreachable")

    def _refuse(self, actor: Actor, action: str, target: str, message: str) -> None:
        self.audit.record(actor, action, target, "refused", message)
        err = KnowledgeError(message)
        err.audited = True  # type: ignore[attr-defined]
        raise err

    def _locked(self, actor: Actor, action: str, target: str):
        return _AuditedLock(self, actor, action, target)

    def _report(self, action: str, result: BuildResult, lead: str, **changes: tuple[str, ...]) -> OpReport:
        data = result.data
        docs = len(data.manifest.get("documents", {}))
        message = (f"{lead}. Index version {data.version}: {docs} documents, {len(data.passages)} passages, "
                   f"built in {result.seconds:.1f} s.")
        return OpReport(action, message, data.version, docs, len(data.passages), result.seconds,
                        result.embedded, result.reused, warnings=result.skipped, **changes)


class _AuditedLock:
    """The build lock; failures inside are logged ('refused' for user errors, else 'failed')."""

    def __init__(self, ops: KnowledgeOps, actor: Actor, action: str, target: str) -> None:
        self.ops, self.actor, self.action, self.target = ops, actor, action, target
        self._lock = ops.core.index.store.build_lock()

    def __enter__(self) -> None:
        try:
            self._lock.__enter__()
        except KnowledgeError as err:
            self.ops.audit.record(self.actor, self.action, self.target, "refused", str(err))
            raise

    def __exit__(self, kind, err, tb) -> bool:
        self._lock.__exit__(kind, err, tb)
        if err is None or getattr(err, "audited", False):
            return False
        outcome = "refused" if isinstance(err, CallbotError) else "failed"
        self.ops.audit.record(self.actor, self.action, self.target, outcome, str(err) or err.__class__.__name__)
        if not isinstance(err, CallbotError) and isinstance(err, Exception):
            raise KnowledgeError(
                f"the rebuild failed ({err.__class__.__name__}); the serving index is unchanged."
            ) from err
        return False
