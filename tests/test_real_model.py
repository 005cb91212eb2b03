"""End to end with the real model (all-MiniLM-L6-v2) and a real FAISS index.

The eval test guards answer quality: a retrieval regression fails CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from bot.config import Settings
from bot.core import BotCore
from bot.evaluation import evaluate, load_eval
from bot.types import Question
from tests.conftest import EVAL_FILE, KNOWLEDGE, REPO

pytestmark = pytest.mark.real_model

# Floors a little under what was measured with the default (ONNX int8) backend (see README,
# "Answer quality"); a drop below them is a regression. torch and ONNX fp32 measure within a
# question of it. The decline targets (off-topic declined >= 0.9 with on-topic
# declined <= 0.05) are met on the dev set; hit@1 0.85 and hit@3 0.95 are not reached yet.
FLOORS = {"hit1": 0.74, "hit3": 0.88, "off_topic_declined": 0.9}
MAX_ON_TOPIC_DECLINED = 0.05
HOLDOUT_FILE = EVAL_FILE.with_name("qa_holdout.jsonl")
HOLDOUT_FLOORS = {"hit1": 0.6, "hit3": 0.85, "off_topic_declined": 0.9}
HOLDOUT_MAX_ON_TOPIC_DECLINED = 0.06
BLIND_FILE = EVAL_FILE.with_name("qa_blind.jsonl")
BLIND_FLOORS = {"hit1": 0.78, "hit3": 0.85, "off_topic_declined": 0.9}
BLIND_MAX_ON_TOPIC_DECLINED = 0.06
BLIND2_FILE = EVAL_FILE.with_name("qa_blind2.jsonl")
BLIND2_FLOORS = {"hit1": 0.8, "hit3": 0.88, "off_topic_declined": 0.9}
BLIND2_MAX_ON_TOPIC_DECLINED = 0.04


@pytest.fixture(scope="session")
def real_workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("real")
    shutil.copytree(KNOWLEDGE, root / "knowledge")
    return root


def _settings(root, backend: str, quantize: bool = True) -> Settings:
    return Settings.model_validate(
        {
            "knowledge_dir": str(root / "knowledge"),
            "index_dir": str(root / f"index-{backend}{'' if quantize or backend == 'torch' else '-fp32'}"),
            "embedding": {"backend": backend, "quantize": quantize},
        }
    )


@pytest.fixture(scope="session")
def real_core(real_workspace) -> BotCore:
    core = BotCore(_settings(real_workspace, "onnx"))
    core.start()
    return core


@pytest.fixture(scope="session")
def reports(real_workspace, real_core):
    """Eval reports per backend: onnx int8 (default), torch (reference), onnx fp32."""
    items = load_eval(EVAL_FILE)
    out = {"onnx": evaluate(real_core, items)}
    for name, backend, quantize in (("torch", "torch", False), ("onnx-fp32", "onnx", False)):
        core = BotCore(_settings(real_workspace, backend, quantize))
        core.start()
        out[name] = evaluate(core, items)
    for name, report in out.items():
        print(f"[{name}] " + " | ".join(report.lines()))
    return out


@pytest.mark.parametrize("backend", ["onnx", "torch", "onnx-fp32"])
def test_eval_meets_the_quality_floors(reports, backend):
    report = reports[backend]
    assert report.on_topic >= 40 and report.off_topic >= 10
    assert report.hit1 >= FLOORS["hit1"], report.misses
    assert report.hit3 >= FLOORS["hit3"], report.misses
    assert report.off_topic_declined >= FLOORS["off_topic_declined"]
    assert report.on_topic_declined <= MAX_ON_TOPIC_DECLINED


@pytest.mark.parametrize("backend", ["onnx", "onnx-fp32"])
def test_fast_backends_match_torch_quality(reports, backend):
    """Both ONNX flavours stay within 0.02 of torch on hit@1 and hit@3 (measured: fp32
    matches it exactly; the default int8 equals it on hit@1 and is one question of 59,
    0.017, ahead on hit@3)."""
    assert abs(reports[backend].hit1 - reports["torch"].hit1) <= 0.02 + 1e-9
    assert abs(reports[backend].hit3 - reports["torch"].hit3) <= 0.02 + 1e-9


@pytest.mark.parametrize(
    "path, floors, max_declined, sizes",
    [
        (HOLDOUT_FILE, HOLDOUT_FLOORS, HOLDOUT_MAX_ON_TOPIC_DECLINED, (30, 10)),
        (BLIND_FILE, BLIND_FLOORS, BLIND_MAX_ON_TOPIC_DECLINED, (50, 20)),
        (BLIND2_FILE, BLIND2_FLOORS, BLIND2_MAX_ON_TOPIC_DECLINED, (60, 15)),
    ],
    ids=["holdout", "blind", "blind2"],
)
def test_unseen_sets_meet_their_floors(real_core, path, floors, max_declined, sizes):
    """Sets written without looking at the retriever (the blind one by a separate session
    that saw only the documents): how well the tuning generalises."""
    report = evaluate(real_core, load_eval(path))
    print(f"[{path.stem}] " + " | ".join(report.lines()))
    assert report.on_topic >= sizes[0] and report.off_topic >= sizes[1]
    assert report.hit1 >= floors["hit1"], report.misses
    assert report.hit3 >= floors["hit3"], report.misses
    assert report.off_topic_declined >= floors["off_topic_declined"]
    assert report.on_topic_declined <= max_declined


def test_real_answers_and_declines(real_core):
    answer = real_core.ask(Question("What does the Call say about hack-back?"))
    assert answer.answered
    assert "hack" in answer.passages[0].best_sentence.lower()
    for off_topic in (
        "What's the weather going to be like tomorrow?",
        "Tell me a joke",
        "Who won the football match yesterday?",
    ):
        assert not real_core.ask(Question(off_topic)).answered, off_topic


@pytest.mark.parametrize("number", range(1, 10))
def test_a_principle_asked_for_by_number_is_quoted_first(real_core, number):
    principle = real_core.principle(number)
    for question in (f"What is principle {number}?", f"What does principle number {number} say?"):
        answer = real_core.ask(Question(question))
        assert answer.answered, question
        best = answer.passages[0]
        assert principle.text in best.passage.text, question
        assert best.best_sentence.startswith(principle.text[:40]), question


def test_requests_and_unknown_terms_are_declined_politely(real_core):
    joke = real_core.ask(Question("Tell me a joke about hackers"))
    assert not joke.answered and "jokes" in joke.message
    term = real_core.ask(Question("What is ransomware?"))
    assert not term.answered and "ransomware" in term.message
    assert real_core.ask(Question("What is hack-back?")).answered


def _cli(real_workspace, *args, input=None):
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "--knowledge",
            str(real_workspace / "knowledge"),
            "--index",
            str(real_workspace / "index-onnx"),
            *args,
        ],
        capture_output=True,
        text=True,
        input=input,
        timeout=300,
        cwd=REPO,
        env=env,
    )


def test_cli_ask_json_with_the_real_model(real_workspace, real_core):
    result = _cli(real_workspace, "ask", "--json", "What does the Call say about hack-back?")
    assert result.returncode == 0, result.stderr
    obj = json.loads(result.stdout)
    assert obj["answered"] is True
    assert any("hack" in p["text"].lower() for p in obj["passages"])
    assert {"text", "score", "title", "publisher", "date", "source"} <= set(obj["passages"][0])


def test_cli_stdin_batch_with_the_real_model(real_workspace, real_core):
    result = _cli(
        real_workspace, "ask", "--json", "-", input="Who launched the Paris Call?\nWhat is a good pizza recipe?\n"
    )
    assert result.returncode == 0, result.stderr
    first, second = [json.loads(line) for line in result.stdout.splitlines()]
    assert first["answered"] and "Macron" in " ".join(p["text"] for p in first["passages"])
    assert second["answered"] is False


def test_answering_with_the_onnx_backend_never_imports_torch(real_workspace, real_core):
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['callbot', '--knowledge', {str(real_workspace / 'knowledge')!r}, "
        f"'--index', {str(real_workspace / 'index-onnx')!r}, 'ask', '--json', 'Who launched the Paris Call?']\n"
        "try:\n    runpy.run_module('bot', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env=dict(os.environ, HF_HUB_OFFLINE="1"),
    )
    assert result.returncode == 0, result.stderr
    first, last = result.stdout.splitlines()[0], result.stdout.splitlines()[-1]
    assert json.loads(first)["answered"] is True
    assert last == "HEAVY []"
