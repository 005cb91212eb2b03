"""The quality gate's question set ships with the knowledge base, and is never indexed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.evaluation import load_eval
from bot.index.sources import scan_sources
from bot.ingest import load_knowledge_dir
from bot.knowledge.gate import QualityGate
from tests.conftest import KNOWLEDGE, REPO
from tests.fake_embedder import FakeEmbedder


def test_the_default_gate_set_is_knowledge_data_not_a_test_file(monkeypatch: pytest.MonkeyPatch) -> None:
    default = Path(Settings().knowledge_ops.quality_eval_file)
    assert not default.is_absolute()
    assert default.parts[0] == "knowledge" and "tests" not in default.parts
    monkeypatch.chdir(REPO)  # relative paths are read from the working directory
    items = QualityGate(Settings(), FakeEmbedder(), None)._items()
    assert items == load_eval(REPO / default)
    assert sum(not item.off_topic for item in items) >= 30


def test_the_eval_folder_is_not_a_document_folder(make_core, knowledge_copy: Path) -> None:
    core = make_core()
    assert (knowledge_copy / "eval" / "gate.jsonl").is_file()  # the copy has it, as a deployment would
    (knowledge_copy / "eval" / "notes.md").write_text("# Notes\n\nThe gate set lives here.\n", encoding="utf-8")
    assert not any("eval" in name or "gate" in name for name in scan_sources(knowledge_copy))
    documents, skipped = load_knowledge_dir(knowledge_copy)
    assert not any("gate" in doc.doc_id or "notes" in doc.doc_id for doc in documents) and skipped == []
    assert core.index.stale_reason(core.index_version) is None  # nothing under eval/ makes the index stale
    assert not any("gate" in s.doc_id or "eval" in s.doc_id for s in core.sources())


def test_the_repository_knowledge_folder_holds_the_gate_set() -> None:
    assert (KNOWLEDGE / "eval" / "gate.jsonl").is_file() and (KNOWLEDGE / "eval" / "README.md").is_file()
