"""The question sets themselves: well formed, and every answer phrase is in the documents.

A phrase that no passage can contain (a typo, a document edited later) would silently turn
a question into a miss, so the sets are checked against the knowledge base they score.
"""

from __future__ import annotations

import pytest

from bot.evaluation import _norm, load_eval
from bot.ingest.loaders import load_document
from tests.conftest import EVAL_FILE, KNOWLEDGE

SETS = sorted(p for p in EVAL_FILE.parent.glob("qa*.jsonl") if p.name != "qa_fr.jsonl")  # French: checked below
# By design the ingester drops contact lines (phone numbers, e-mail labels) as debris.
UNANSWERABLE = {"b019"}


@pytest.fixture(scope="module")
def corpus() -> str:
    return _norm("\n".join(load_document(p).text for p in sorted(KNOWLEDGE.glob("*.md"))))


def test_all_four_sets_are_found():
    assert [p.name for p in SETS] == ["qa.jsonl", "qa_blind.jsonl", "qa_blind2.jsonl", "qa_holdout.jsonl"]


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.stem)
def test_every_answer_phrase_is_in_the_cleaned_documents(path, corpus):
    items = load_eval(path)
    assert len({i.qid for i in items}) == len(items), "duplicate ids"
    assert all(i.kind in {"literal", "paraphrase", "offtopic"} for i in items)
    assert all(i.off_topic == (i.kind == "offtopic") for i in items)
    missing = [
        (i.qid, a)
        for i in items
        if not i.off_topic and i.qid not in UNANSWERABLE
        for a in i.answers
        if _norm(a) not in corpus
    ]
    assert not missing, missing


def test_the_french_sets_pass_the_phrase_checker():
    """qa_fr.jsonl and french.jsonl use the chat sets' kinds and leads: their checker."""
    import subprocess
    import sys

    sets = [str(EVAL_FILE.with_name(name)) for name in ("qa_fr.jsonl", "french.jsonl")]
    checker = EVAL_FILE.with_name("check_phrases.py")
    done = subprocess.run([sys.executable, str(checker), *sets], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
