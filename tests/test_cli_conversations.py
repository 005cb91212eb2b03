"""The CLI's conversation additions, in process on the fake embedder: `ask --context`, JSON-object
lines on stdin, `chat` keeping the running conversation (and `/new`), and `eval` on a
conversation set (`--unrelated-context`). Plain questions keep working as before."""

from __future__ import annotations

import json

from tests.test_cli import run_cli  # noqa: F401 - fixture

FIRST = "Who launched the Paris Call?"


def test_ask_with_context_reads_the_follow_up_in_that_conversation(run_cli) -> None:
    result = run_cli("ask", "--json", "--context", FIRST, "ok and when was that?")
    assert result.exit_code == 0
    obj = json.loads(result.output)
    assert obj["question"] == "ok and when was that?"
    assert obj["understood_as"] == f"when was that? — after “{FIRST}”"
    plain = run_cli("ask", "--context", FIRST, "ok and when was that?")
    assert f"(about: when was that? — after “{FIRST}”)" in plain.output


def test_ask_without_context_has_an_empty_understood_as(run_cli) -> None:
    obj = json.loads(run_cli("ask", "--json", "ok and when was that?").output)
    assert obj["understood_as"] == ""


def test_stdin_lines_may_be_json_objects_with_a_context(run_cli) -> None:
    lines = [
        FIRST,
        json.dumps({"q": "and the next one?", "context": ["what is principle 8?"]}),
        json.dumps({"q": "and when?", "context": [{"q": FIRST, "answer": "Emmanuel Macron launched it."}]}),
        "{not json: a plain question",
        json.dumps({"question": "no q key"}),
    ]
    result = run_cli("ask", "--json", "-", input="\n".join(lines) + "\n")
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["question"] for o in out] == [FIRST, "and the next one?", "and when?", lines[3], lines[4]]
    assert [o["understood_as"] for o in out] == ["", "principle 9", f"when? — after “{FIRST}”", "", ""]


def test_chat_keeps_the_running_conversation_until_new(run_cli) -> None:
    result = run_cli("chat", input=f"{FIRST}\nok and when was that?\n/new\nok and when was that?\n")
    assert result.exit_code == 0
    assert result.output.count("(about: when was that?") == 1
    assert "Starting a new conversation." in result.output


def test_eval_scores_conversation_sets_and_unrelated_context(run_cli, tmp_path) -> None:
    rows = [
        {"id": "a1", "question": "what is principle 8?", "answers": ["hacking-back"], "kind": "first"},
        {
            "id": "a2",
            "question": "and the next one?",
            "answers": ["international norms"],
            "kind": "followup-ordinal",
            "context": ["what is principle 8?"],
        },
        {"id": "b1", "question": "How many states signed the Paris Call?", "answers": ["51 states"], "kind": "first"},
    ]
    path = tmp_path / "conv.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = run_cli("eval", str(path), "--unrelated-context")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "questions: 3 on-topic, 0 off-topic"
    assert any(line.startswith("follow-ups (1): hit@1 1.000, hit@3 1.000") for line in lines)
    assert lines[-1].startswith("unrelated context: hit@1 ") and "(change +0.000)" in lines[-1]
