"""The quality gate: a build that answers fewer check questions is not promoted.

The junk document repeats the words of every on-topic check question in
tests/eval/qa.jsonl without any of their answers: for the bag-of-words fake embedder and
BM25 that is exactly "looks relevant, answers nothing".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.errors import KnowledgeError
from bot.evaluation import load_eval
from bot.knowledge.gate import QualityGate, hit_at_3
from tests.conftest import EVAL_FILE
from tests.helpers_knowledge import (
    ACTOR,
    CABLES,
    assert_one_sentence_refusal,
    assert_unchanged,
    junk_document,
    latest_audit,
    manifest_docs,
    snapshot,
)

GATE_MESSAGE = (
    r"^the new index answers fewer check questions \(hit@3 (?P<after>[0-9.]+) against (?P<before>[0-9.]+) "
    r"now, more than 0\.05 worse\), so it was not promoted and the serving index is unchanged; "
    r"check the new document, or use --force to promote anyway\.$"
)


@pytest.fixture(scope="module")
def junk() -> bytes:
    text = junk_document(EVAL_FILE)
    for item in load_eval(EVAL_FILE):
        assert not any(a.casefold() in text.casefold() for a in item.answers)  # really no answers
    return text.encode("utf-8")


def test_junk_document_is_refused_and_not_promoted(make_app, fake_embedder, junk: bytes) -> None:
    app = make_app(embedder=fake_embedder)
    core = app.core
    before = snapshot(core)
    baseline = hit_at_3(core.serving.data, load_eval(EVAL_FILE), fake_embedder, core.settings)
    assert baseline > 0.3  # the seeds do answer the check questions
    with pytest.raises(KnowledgeError) as caught:
        app.knowledge.add_bytes("faq.md", junk, ACTOR)
    message = str(caught.value)
    match = re.match(GATE_MESSAGE, message)
    assert match, message
    assert float(match["before"]) == pytest.approx(baseline, abs=0.005)
    assert float(match["after"]) < baseline - 0.05
    assert_one_sentence_refusal(message)
    assert_unchanged(core, before)  # not promoted, and faq.md was taken out of knowledge/ again
    assert not (core.settings.knowledge_path / "faq.md").exists()
    entry = latest_audit(app.knowledge)
    assert (entry.action, entry.target, entry.outcome, entry.detail) == ("add", "faq.md", "refused", message)
    # the serving version still answers as before
    assert hit_at_3(core.serving.data, load_eval(EVAL_FILE), fake_embedder, core.settings) == baseline


def test_force_promotes_the_junk_anyway(make_app, junk: bytes) -> None:
    app = make_app()
    core = app.core
    old = core.index_version
    report = app.knowledge.add_bytes("faq.md", junk, ACTOR, force=True)
    assert report.added == ("faq.md",) and core.index_version == report.version != old
    assert manifest_docs(core)["faq.md"]["passages"] > 20


def test_a_normal_small_document_passes_the_gate(make_app, fake_embedder) -> None:
    app = make_app(embedder=fake_embedder)
    core = app.core
    gate = QualityGate(core.settings, fake_embedder, core.serving.data)
    report = app.knowledge.add_bytes("cables.md", CABLES, ACTOR)  # gate on (force=False)
    assert report.added == ("cables.md",)
    assert gate(core.serving.data) is None
    before, after = gate.scores
    assert after >= before - core.settings.knowledge_ops.quality_max_hit3_drop


def test_the_gate_also_guards_plain_rebuilds(make_app, junk: bytes) -> None:
    """Junk dropped into knowledge/ by hand is caught by `index build` too (not by remove)."""
    app = make_app()
    core = app.core
    path = core.settings.knowledge_path / "faq.md"
    path.write_bytes(junk)
    before = snapshot(core)
    with pytest.raises(KnowledgeError, match="not promoted"):
        app.knowledge.rebuild(ACTOR)
    assert_unchanged(core, before)
    assert path.exists()  # a rebuild does not delete what the admin put there
    assert latest_audit(app.knowledge).outcome == "refused"
    app.knowledge.rebuild(ACTOR, force=True)
    assert "faq.md" in manifest_docs(core)
    report = app.knowledge.remove("faq", ACTOR)  # removal is an intended loss: no gate
    assert report.removed == ("faq.md",)


def test_gate_is_skipped_without_an_eval_file(make_app, junk: bytes, tmp_path: Path) -> None:
    app = make_app(knowledge_ops={"quality_eval_file": str(tmp_path / "missing.jsonl")})
    assert app.knowledge.add_bytes("faq.md", junk, ACTOR).added == ("faq.md",)


def test_a_stricter_margin_is_honoured(make_app, junk: bytes) -> None:
    """quality_max_hit3_drop = 1 lets anything through; the default does not."""
    app = make_app(knowledge_ops={"quality_max_hit3_drop": 1.0})
    assert app.knowledge.add_bytes("faq.md", junk, ACTOR).added == ("faq.md",)
