"""`callbot eval` scoring: the per-kind breakdown and the stable first lines."""

from __future__ import annotations

import json
from pathlib import Path

from bot.evaluation import evaluate, load_eval


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


LITERAL = [
    {
        "id": "l1",
        "question": "Israel, Iran, Saudi Arabia and North Korea also refrained from signing the pledge?",
        "answers": ["Saudi Arabia and North Korea"],
        "kind": "literal",
    },
    {
        "id": "l2",
        "question": "Who refrained from signing the pledge: Israel, Iran, Saudi Arabia and North Korea?",
        "answers": ["Saudi Arabia and North Korea"],
        "kind": "literal",
    },
]
NEVER = {
    "id": "p1",
    "question": "What does the Call say about hack-back?",
    "answers": ["a phrase no document contains"],
    "kind": "paraphrase",
}
OFF = {"id": "o1", "question": "What is a good recipe for pancakes?", "answers": [], "kind": "offtopic"}


def test_scores_are_broken_down_by_kind_after_the_usual_lines(make_core, tmp_path):
    report = evaluate(make_core(), load_eval(_write(tmp_path / "set.jsonl", [*LITERAL, NEVER, OFF])))
    kinds = {k.kind: k for k in report.by_kind}
    assert set(kinds) == {"literal", "paraphrase"}  # off-topic questions have no ranks
    assert (kinds["literal"].count, kinds["paraphrase"].count) == (2, 1)
    assert kinds["literal"].hit1 == 1.0
    assert kinds["paraphrase"].hit1 == kinds["paraphrase"].hit3 == 0.0
    assert report.hit1 == sum(k.hit1 * k.count for k in report.by_kind) / report.on_topic
    lines = report.lines()
    assert [line.split(":")[0] for line in lines[:6]] == [
        "questions",
        "hit@1",
        "hit@3",
        "MRR@10",
        "off-topic declined",
        "on-topic declined",
    ]
    assert lines[6:9] == [
        "by kind:",
        "  literal (2): hit@1 1.000, hit@3 1.000",
        "  paraphrase (1): hit@1 0.000, hit@3 0.000",
    ]
    assert [line.split(":")[0] for line in lines[9:]] == ["lead@1", "tentative", "off-topic answered confidently"]


def test_one_kind_only_prints_no_breakdown(make_core, tmp_path):
    report = evaluate(make_core(), load_eval(_write(tmp_path / "set.jsonl", LITERAL)))
    assert len(report.by_kind) == 1
    assert [line.split(":")[0] for line in report.lines()[6:]] == [
        "lead@1",
        "tentative",
        "off-topic answered confidently",
    ]
