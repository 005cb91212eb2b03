"""Knowledge operations end to end on the fake embedder: add (files, folders, every type,
metadata), remove, list, dry-run plan, rollback, incremental embedding and the audit log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml

from bot.errors import KnowledgeError
from bot.index.builder import apply_sidecar
from bot.index.sources import sidecar_for
from bot.index.store import read_version
from bot.ingest import chunk_document, load_document
from bot.ingest.embedded_text import answer_sentences
from bot.types import Actor, Question
from tests.helpers_knowledge import (
    ACTOR,
    CABLES,
    HTML_PAGE,
    NO_EVAL,
    OTHER,
    PDF_LINES,
    SATELLITES,
    assert_one_sentence_refusal,
    assert_unchanged,
    latest_audit,
    make_pdf,
    manifest_docs,
    note_md,
    snapshot,
)

CABLE_Q = "When was the Baltic cable security pact signed and where?"


def cited_docs(core, text: str) -> set[str]:
    return {sp.passage.doc_id for sp in core.ask(Question(text, ACTOR)).passages}


# ---------------------------------------------------------------- add


def test_add_one_file_copies_it_and_serves_it(make_app, tmp_path: Path) -> None:
    app = make_app()
    core = app.core
    old = core.index_version
    assert "cables" not in cited_docs(core, CABLE_Q)
    source = tmp_path / "Cable Pact.md"
    source.write_bytes(CABLES)
    report = app.knowledge.add_paths([source], ACTOR)
    assert report.action == "add" and report.added == ("cable-pact.md",)
    assert report.version == core.index_version != old
    assert report.message.startswith("Added cable-pact.md (Undersea cable protection). Index version ")
    assert (core.settings.knowledge_path / "cable-pact.md").read_bytes() == CABLES
    assert source.read_bytes() == CABLES  # the original is copied, not moved
    assert core.index.store.current() == report.version
    assert report.documents == 6 and report.passages == len(core.serving.data.passages)
    answer = core.ask(Question(CABLE_Q, ACTOR))
    assert answer.index_version == report.version
    assert answer.passages[0].passage.doc_id == "cable-pact"
    assert "Tallinn" in answer.passages[0].passage.text


def test_add_a_folder_of_every_type_with_metadata_from_the_documents(make_app, tmp_path: Path) -> None:
    app = make_app()
    core = app.core
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "cables.md").write_bytes(CABLES)
    (folder / "sat.txt").write_bytes(SATELLITES.replace(b"# ", b""))
    (folder / "drill.html").write_text(HTML_PAGE, encoding="utf-8")
    (folder / "drill-antwerp.htm").write_text(
        HTML_PAGE.replace("Rotterdam", "Antwerp").replace("twelve", "eight"), encoding="utf-8"
    )
    info = {"Title": "Nordic incident exchange", "Author": "Nordic CERT forum", "CreationDate": "D:20210304000000Z"}
    (folder / "nordic.pdf").write_bytes(make_pdf(PDF_LINES, info))
    (folder / "slides.docx").write_bytes(b"PK\x03\x04 not a document type")  # ignored in folders
    (folder / "README.md").write_bytes(note_md("Readme", "How to use this folder of documents today."))
    (folder / ".draft.md").write_bytes(note_md("Draft", "A hidden draft about ferries in Calais."))
    report = app.knowledge.add_paths([folder], ACTOR)
    assert set(report.added) == {"cables.md", "sat.txt", "drill.html", "drill-antwerp.htm", "nordic.pdf"}
    docs = manifest_docs(core)
    assert {n: (docs[n]["title"], docs[n]["publisher"], docs[n]["date"]) for n in report.added} == {
        "cables.md": ("Undersea cable protection", "unknown", ""),
        "sat.txt": ("Satellite ground station hardening", "unknown", ""),
        "drill.html": ("Harbour cyber drill", "Port Security Weekly", "2021-06-15"),
        "drill-antwerp.htm": ("Harbour cyber drill", "Port Security Weekly", "2021-06-15"),
        "nordic.pdf": ("Nordic incident exchange", "Nordic CERT forum", "2021-03-04"),
    }
    assert all(docs[n]["passages"] >= 1 for n in report.added)
    names = {p.name for p in core.settings.knowledge_path.iterdir()}
    assert not names & {"slides.docx", "README.md", "readme.md", ".draft.md", "draft.md"}
    assert "nordic" in cited_docs(core, "How fast do Nordic exchange members publish indicators of compromise?")
    assert "drill" in cited_docs(core, "How long did operators take to restore crane software at Rotterdam?")


def test_metadata_options_go_into_a_sidecar_and_win(make_app, tmp_path: Path) -> None:
    app = make_app()
    core = app.core
    source = tmp_path / "cables.md"
    source.write_bytes(CABLES)
    report = app.knowledge.add_paths(
        [source], ACTOR, title="Baltic Cable Pact", publisher="Baltic Council", date="2021-03-03"
    )
    stored = core.settings.knowledge_path / report.added[0]
    sidecar = sidecar_for(stored)
    assert sidecar.name == "cables.md.meta.yaml"
    assert yaml.safe_load(sidecar.read_text(encoding="utf-8")) == {
        "title": "Baltic Cable Pact",
        "publisher": "Baltic Council",
        "date": "2021-03-03",
    }
    assert stored.read_bytes() == CABLES  # the document itself is not rewritten
    meta = manifest_docs(core)["cables.md"]
    assert (meta["title"], meta["publisher"], meta["date"]) == ("Baltic Cable Pact", "Baltic Council", "2021-03-03")
    top = core.ask(Question(CABLE_Q, ACTOR)).passages[0].passage
    assert (top.title, top.publisher, top.date) == ("Baltic Cable Pact", "Baltic Council", "2021-03-03")
    row = next(r for r in app.knowledge.list_documents() if r.file_name == "cables.md")
    assert (row.title, row.publisher, row.date, row.added_by) == (
        "Baltic Cable Pact",
        "Baltic Council",
        "2021-03-03",
        "test:Alice",
    )
    # the sidecar is part of the snapshot and of the staleness check: a fresh core loads as is
    assert core.index.stale_reason(core.index.store.current()) is None
    assert (core.index.store.path(report.version) / "sources" / sidecar.name).is_file()


def test_add_bytes_records_the_original_name_as_origin(make_app) -> None:
    app = make_app()
    core = app.core
    report = app.knowledge.add_bytes("Satellite Notes (v2).txt", SATELLITES.replace(b"# ", b""), OTHER)
    assert report.added == ("satellite-notes-v2.txt",)
    meta = manifest_docs(core)["satellite-notes-v2.txt"]
    assert meta["source"] == "Satellite Notes (v2).txt"
    assert latest_audit(app.knowledge).platform == "discord"


# ---------------------------------------------------------------- remove, list


@pytest.mark.parametrize("how", ["file name", "doc id", "stem"])
def test_remove_by_file_name_or_id(make_app, tmp_path: Path, how: str) -> None:
    app = make_app()
    core = app.core
    added = app.knowledge.add_bytes("cables.md", CABLES, ACTOR, title="Cables")
    knowledge = core.settings.knowledge_path
    assert sidecar_for(knowledge / "cables.md").is_file()
    target = {"file name": "cables.md", "doc id": "cables", "stem": "cables"}[how]
    report = app.knowledge.remove(target, OTHER)
    assert report.action == "remove" and report.removed == ("cables.md",)
    assert report.version == core.index_version != added.version
    assert not (knowledge / "cables.md").exists()
    assert not sidecar_for(knowledge / "cables.md").exists()
    assert "cables.md" not in manifest_docs(core)
    assert "cables" not in cited_docs(core, CABLE_Q)
    assert report.embedded == 0  # nothing new to embed when a document goes away
    entry = latest_audit(app.knowledge)
    assert (entry.platform, entry.user_id, entry.action, entry.target, entry.outcome) == (
        "discord",
        "1234",
        "remove",
        "cables.md",
        "ok",
    )


def test_remove_a_seed_document_by_id(make_app) -> None:
    app = make_app()
    core = app.core
    report = app.knowledge.remove("004-bab-signs-paris-call", ACTOR)
    assert report.removed == ("004-bab-signs-paris-call.md",)
    assert report.documents == 4
    assert "004-bab-signs-paris-call.md" not in manifest_docs(core)


@pytest.mark.parametrize("doc", ["nope.md", "../knowledge/000-paris-call-launch-diplomatie.md", "principles.yaml", ""])
def test_remove_unknown_document_is_refused(make_app, doc: str) -> None:
    app = make_app()
    core = app.core
    before = snapshot(core)
    with pytest.raises(KnowledgeError, match=r"^no document '.*' in the knowledge base") as caught:
        app.knowledge.remove(doc, ACTOR)
    assert_one_sentence_refusal(str(caught.value))
    assert_unchanged(core, before)
    entry = latest_audit(app.knowledge)
    assert (entry.action, entry.target, entry.outcome) == ("remove", doc, "refused")


def test_list_documents(make_app) -> None:
    app = make_app()
    core = app.core
    app.knowledge.add_bytes("cables.md", CABLES, ACTOR)
    rows = {r.file_name: r for r in app.knowledge.list_documents()}
    assert set(rows) == {p.name for p in core.settings.knowledge_path.glob("*.md")}
    seed = rows["000-paris-call-launch-diplomatie.md"]
    assert (seed.added_at, seed.added_by) == ("with the repository", "-")
    assert seed.publisher.startswith("French Ministry")
    new = rows["cables.md"]
    assert new.added_by == "test:Alice" and new.added_at[:2] == "20" and new.passages >= 1
    assert sum(r.passages for r in rows.values()) == len(core.serving.data.passages)


# ---------------------------------------------------------------- dry run


def test_dry_run_plan_reports_and_changes_nothing(make_app, fake_embedder) -> None:
    app = make_app(embedder=fake_embedder)
    core = app.core
    knowledge = core.settings.knowledge_path
    passages_before = len(core.serving.data.passages)
    (knowledge / "cables.md").write_bytes(CABLES)
    changed = knowledge / "000-paris-call-launch-diplomatie.md"
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nA closing sentence was added for the test.\n", encoding="utf-8"
    )
    (knowledge / "004-bab-signs-paris-call.md").unlink()
    before = snapshot(core)
    embedded = fake_embedder.embedded_texts
    plan = app.knowledge.plan()
    assert plan.added == ("cables.md",)
    assert plan.changed == ("000-paris-call-launch-diplomatie.md",)
    assert plan.removed == ("004-bab-signs-paris-call.md",)
    assert plan.passages_before == passages_before
    lines = plan.lines()
    assert lines[0] == "documents added:   cables.md"
    assert lines[1] == "documents changed: 000-paris-call-launch-diplomatie.md"
    assert lines[2] == "documents removed: 004-bab-signs-paris-call.md"
    assert lines[3] == f"passages: {passages_before} now, {plan.passages_after} after the rebuild"
    assert lines[-1] == "dry run: nothing was changed."
    assert_unchanged(core, before)
    assert fake_embedder.embedded_texts == embedded
    # the prediction is right: the real rebuild has exactly that many passages
    report = app.knowledge.rebuild(ACTOR, force=True)  # a seed was removed: the gate would object
    assert report.passages == plan.passages_after
    assert app.knowledge.plan().lines()[:3] == [
        "documents added:   none",
        "documents changed: none",
        "documents removed: none",
    ]


def test_dry_run_lists_files_that_will_be_skipped(make_app) -> None:
    app = make_app()
    core = app.core
    (core.settings.knowledge_path / "broken.pdf").write_bytes(b"not a pdf")
    plan = app.knowledge.plan()
    assert plan.added == ("broken.pdf",)
    assert any(line.startswith("problem: broken.pdf:") for line in plan.lines())


# ---------------------------------------------------------------- rollback


def test_rollback_walks_back_and_restores_documents(make_app) -> None:
    app = make_app()
    core = app.core
    knowledge = core.settings.knowledge_path
    v1 = core.index_version
    files_v1 = snapshot(core).files
    v2 = app.knowledge.add_bytes("cables.md", CABLES, ACTOR, title="Cables").version
    files_v2 = snapshot(core).files
    v3 = app.knowledge.add_bytes("sat.md", SATELLITES, ACTOR).version
    assert core.index_version == v3

    report = app.knowledge.rollback(OTHER)
    assert report.action == "rollback" and report.version == v2
    assert report.message == f"Rolled back to index version {v2}: 6 documents, {report.passages} passages."
    assert core.index_version == v2 and core.index.store.current() == v2
    assert snapshot(core).files == files_v2  # sat.md is gone, cables.md + sidecar kept
    assert "sat" not in cited_docs(core, "Who audits satellite ground stations in Norway?")
    assert core.index.stale_reason(v2) is None  # the documents match the version again

    assert app.knowledge.rollback(OTHER).version == v1
    assert snapshot(core).files == files_v1
    assert not (knowledge / "cables.md").exists()
    read_version(core.index.store.path(v1))  # still loadable

    before = snapshot(core)
    with pytest.raises(KnowledgeError, match="no earlier index version to return to; nothing was changed"):
        app.knowledge.rollback(OTHER)
    assert_unchanged(core, before)
    rollbacks = [(e.target, e.outcome) for e in app.knowledge.log() if e.action == "rollback"]
    assert rollbacks == [("index", "refused"), (v1, "ok"), (v2, "ok")]


def test_rollback_restores_a_removed_document_byte_for_byte(make_app) -> None:
    app = make_app()
    core = app.core
    path = core.settings.knowledge_path / "002-macron-launches-paris-call-trpakistan.md"
    original = path.read_bytes()
    v1 = core.index_version
    app.knowledge.remove("002-macron-launches-paris-call-trpakistan.md", ACTOR)
    assert not path.exists()
    app.knowledge.rollback(ACTOR)
    assert path.read_bytes() == original
    assert core.index_version == v1
    assert "002-macron-launches-paris-call-trpakistan.md" in manifest_docs(core)


def test_a_new_build_after_a_rollback_continues_from_there(make_app) -> None:
    app = make_app()
    core = app.core
    v1 = core.index_version
    app.knowledge.add_bytes("cables.md", CABLES, ACTOR)
    app.knowledge.rollback(ACTOR)
    v3 = app.knowledge.add_bytes("sat.md", SATELLITES, ACTOR).version
    assert core.index_version == v3
    assert core.index.store.rollback_target() == v1  # the rolled-back version is forgotten
    assert app.knowledge.rollback(ACTOR).version == v1


def test_old_versions_are_pruned_to_keep_versions(make_app) -> None:
    app = make_app(knowledge_ops={"keep_versions": 2})
    core = app.core
    for i in range(4):
        app.knowledge.add_bytes(
            f"n{i}.md",
            note_md(f"Note {i}", f"Ferry timetable number {i} lists {i + 2} crossings from Dover on weekdays."),
            ACTOR,
        )
    versions = core.index.store.list_versions()
    assert len(versions) == 2 and versions[-1] == core.index_version


# ---------------------------------------------------------------- incremental embedding


def _texts(data) -> set[str]:
    return {p.text for p in data.passages} | set(data.sentences)


def _doc_texts(path: Path, settings) -> set[str]:
    doc = apply_sidecar(load_document(path))
    cfg = settings.chunking
    passages = chunk_document(doc, sentences=cfg.sentences, overlap=cfg.overlap, max_chars=cfg.max_chars)
    return {p.text for p in passages} | {s for p in passages for s in answer_sentences(p.text)}


def test_adding_one_document_embeds_only_its_texts(make_app, fake_embedder) -> None:
    app = make_app(embedder=fake_embedder, **NO_EVAL)  # no gate: only the build embeds
    core = app.core
    old = core.serving.data
    counter = fake_embedder.embedded_texts
    report = app.knowledge.add_bytes("cables.md", CABLES, ACTOR)
    new = core.serving.data
    expected = _doc_texts(core.settings.knowledge_path / "cables.md", core.settings) - _texts(old)
    assert len(expected) >= 4  # passages and sentences of the new document
    assert report.embedded == len(expected)
    assert fake_embedder.embedded_texts - counter == len(expected)
    unique_keys = len({p.text for p in new.passages}) + len(set(new.sentences))
    assert report.reused == unique_keys - report.embedded
    assert report.reused >= len({p.text for p in old.passages})  # every old passage vector was reused


def test_the_gate_costs_only_the_check_questions(make_app, fake_embedder) -> None:
    from bot.evaluation import load_eval

    app = make_app(embedder=fake_embedder)
    core = app.core
    on_topic = [i for i in load_eval(Path(core.settings.knowledge_ops.quality_eval_file)) if not i.off_topic]
    counter = fake_embedder.embedded_texts
    report = app.knowledge.add_bytes("cables.md", CABLES, ACTOR)
    # each check question is embedded once per version, plus its focused form when its
    # evidence is borderline: the gate asks through the pipeline the bot serves with
    gate = fake_embedder.embedded_texts - counter - report.embedded
    assert 2 * len(on_topic) <= gate <= 2 * 2 * len(on_topic)


def test_a_full_rebuild_with_nothing_changed_embeds_nothing(make_app, fake_embedder) -> None:
    app = make_app(embedder=fake_embedder, **NO_EVAL)
    core = app.core
    counter = fake_embedder.embedded_texts
    report = app.knowledge.rebuild(ACTOR)
    assert report.embedded == 0 and report.reused > 0
    assert fake_embedder.embedded_texts == counter
    assert core.index_version == report.version


# ---------------------------------------------------------------- audit log


def test_audit_log_records_every_operation_and_refusal(make_app) -> None:
    app = make_app()
    core = app.core
    admin, intruder = ACTOR, Actor("slack", "W999", "mallory")
    app.knowledge.add_bytes("cables.md", CABLES, admin)
    with pytest.raises(KnowledgeError):
        app.knowledge.add_bytes("again.md", CABLES, admin)
    with pytest.raises(KnowledgeError):
        app.knowledge.remove("ghost", admin)
    app.knowledge.remove("cables", admin)
    app.knowledge.rebuild(OTHER)
    app.knowledge.rollback(OTHER)
    app.knowledge.record_refusal(intruder, "add", "not an admin", target="evil.md")
    expected = [  # newest first
        ("slack", "W999", "add", "evil.md", "refused"),
        ("discord", "1234", "rollback", None, "ok"),
        ("discord", "1234", "build", str(core.settings.knowledge_path), "ok"),
        ("test", "U-42", "remove", "cables.md", "ok"),
        ("test", "U-42", "remove", "ghost", "refused"),
        ("test", "U-42", "add", "again.md", "refused"),
        ("test", "U-42", "add", "cables.md", "ok"),
    ]
    entries = app.knowledge.log()
    got = [
        (e.platform, e.user_id, e.action, e.target if x[3] is not None else None, e.outcome)
        for e, x in zip(entries, expected)
    ]
    assert got == expected and len(entries) == len(expected)
    assert entries[0].detail == "not an admin" and entries[0].user_name == "mallory"
    assert "already in the knowledge base as cables.md" in entries[5].detail
    assert all(e.at.endswith("Z") and e.at[4] == "-" for e in entries)
    assert app.knowledge.log(limit=2) == entries[:2]
    # it really is SQLite, in the index folder by default, readable by other tools
    db = core.settings.index_path / "audit.sqlite3"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT action, outcome FROM audit ORDER BY id").fetchall()
    assert rows == [(a, o) for _, _, a, _, o in reversed(expected)]


def test_audit_db_location_is_configurable_and_shared(make_app, tmp_path: Path) -> None:
    db = tmp_path / "elsewhere" / "audit.db"
    app = make_app(knowledge_ops={"audit_db": str(db)})
    app.knowledge.add_bytes("cables.md", CABLES, ACTOR)
    assert db.is_file()
    from bot.knowledge.audit import AuditLog

    assert [e.target for e in AuditLog(db).entries()] == ["cables.md"]


def test_the_core_does_not_import_the_knowledge_operations() -> None:
    """Issue 16: the knowledge operations receive the index manager and a serve callback;
    the core never imports them (not in a function, not under TYPE_CHECKING)."""
    import ast

    import bot.core

    tree = ast.parse(Path(bot.core.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not [name for name in imported if name == "bot.knowledge" or name.startswith("bot.knowledge.")]
