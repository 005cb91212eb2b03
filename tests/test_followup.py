"""Follow-up questions read with their conversation (`bot.answering.followup`), on the fast
fake embedder: which questions are follow-ups, what they are read as, and that a question
standing on its own is answered exactly as without a conversation."""

from __future__ import annotations

import json

import pytest

from bot.answering.followup import is_followup, resolve, with_prior
from bot.core import BotCore
from bot.evaluation import EvalItem, conversation_turns, evaluate, load_eval
from bot.render.common import about_line
from bot.render.console import answer_plain
from bot.render.json_contract import answer_to_json
from bot.retrieval.hybrid import Ranked
from bot.types import Question, ScoredPassage, Turn


@pytest.fixture
def core(make_core) -> BotCore:
    return make_core()


@pytest.mark.parametrize(
    "text",
    [
        "when?",
        "ok and when was that?",
        "and the next one?",
        "what about china?",
        "and civil society groups?",
        "where is it held?",
        "whats his job",
        "which organisation does he work for?",
        "why was that date chosen?",
        "who else was at the forum?",
    ],
)
def test_elliptical_and_anaphoric_questions_are_follow_ups(core: BotCore, text: str) -> None:
    assert is_followup(text, core.serving.retriever)


@pytest.mark.parametrize(
    "text",
    [
        "Who launched the Paris Call?",
        "what is the paris call",
        "How many states supported the Paris Call at its launch?",
        "is the US even in it?",
        "what is principle 7?",
        "how many experts attend infoforum?",
        "What's the weather going to be like in Paris tomorrow?",
    ],
)
def test_questions_that_name_their_subject_stand_alone(core: BotCore, text: str) -> None:
    assert not is_followup(text, core.serving.retriever)


def test_a_standalone_question_ignores_the_conversation(core: BotCore) -> None:
    alone = core.ask(Question("How many states supported the Paris Call?"))
    context = (Turn("what is principle 8?", "Take steps to prevent non-State actors from hacking-back"),)
    with_context = core.ask(Question("How many states supported the Paris Call?", context=context))
    assert with_context.understood_as == ""
    assert [p.passage.passage_id for p in with_context.passages] == [p.passage.passage_id for p in alone.passages]
    assert with_context.lead == alone.lead


def test_a_follow_up_is_searched_with_the_anchor_question(core: BotCore) -> None:
    first = "Who launched the Paris Call?"
    reading = resolve("ok and when was that?", (Turn(first),), core.serving.retriever, core.principles())
    assert reading.uses_context and first in reading.search and "when was that?" in reading.search
    assert reading.understood_as == f"when was that? — after “{first}”"
    answer = core.ask(Question("ok and when was that?", context=(Turn(first),)))
    assert answer.understood_as == reading.understood_as
    assert about_line(answer) == f"(about: {reading.understood_as})"
    assert about_line(answer) in answer_plain(answer)
    assert answer_to_json(answer)["understood_as"] == reading.understood_as


def test_without_a_conversation_nothing_changes(core: BotCore) -> None:
    answer = core.ask(Question("ok and when was that?"))
    assert answer.understood_as == "" and "about:" not in answer_plain(answer)
    assert answer_to_json(answer)["understood_as"] == ""


@pytest.mark.parametrize(
    ("earlier", "follow_up", "number"),
    [
        (["what is principle 8?"], "and the next one?", 9),
        (["what is principle 8?", "and the next one?"], "and the one before 8?", 7),
        (["what is principle 3?", "and the one after?"], "what was the first one again", 1),
        (["what's principle 2?"], "and the previous one?", 1),
        (["what's the principle about cyber hygiene?"], "and the one before it?", 6),
    ],
)
def test_ordinal_references_to_principles(core: BotCore, earlier: list[str], follow_up: str, number: int) -> None:
    context = tuple(Turn(q) for q in earlier)
    reading = resolve(follow_up, context, core.serving.retriever, core.principles())
    assert reading.principle == number and reading.understood_as == f"principle {number}"
    answer = core.ask(Question(follow_up, context=context))
    wording = core.principle(number).text[:40].casefold()
    assert answer.answered and wording in answer.lead.casefold()


def test_no_next_principle_after_the_last(core: BotCore) -> None:
    reading = resolve("and the next one?", (Turn("what is principle 9?"),), core.serving.retriever, core.principles())
    assert reading.principle == 0


def test_what_about_takes_the_anchor_question_word(core: BotCore) -> None:
    context = (Turn("how many states signed the paris call?", "The call has been supported by 51 states."),)
    reading = resolve("what about companies?", context, core.serving.retriever, core.principles())
    assert reading.question == "how many companies?"


def test_a_pronoun_for_a_person_searches_the_names_of_the_last_answer(core: BotCore) -> None:
    answer = "the Minister for Europe and Foreign Affairs, Mr Jean-Yves Le Drian, laid out the objectives."
    context = (Turn("who laid out the objectives of the paris call?", answer),)
    reading = resolve("whats his job", context, core.serving.retriever, core.principles())
    assert "Jean-Yves Le Drian" in reading.search
    no_person = resolve("where is it held?", context, core.serving.retriever, core.principles())
    assert "Jean-Yves Le Drian" not in no_person.search


def test_the_previous_answers_document_is_favoured(core: BotCore) -> None:
    data = core.serving.data
    passage = next(p for p in data.passages if "Infoforum" in p.text)
    reading = resolve("when?", (Turn("what is infoforum?", passage.text),), core.serving.retriever, core.principles())
    assert reading.prior_doc == passage.doc_id
    other = next(p for p in data.passages if p.doc_id != passage.doc_id)
    close = Ranked((ScoredPassage(other, 0.50, ""), ScoredPassage(passage, 0.48, "")), 0.5, 0.5, 0.5)
    assert [p.passage for p in with_prior(close, passage.doc_id).passages] == [passage, other]
    far = Ranked((ScoredPassage(other, 0.70, ""), ScoredPassage(passage, 0.48, "")), 0.7, 0.5, 0.7)
    assert [p.passage for p in with_prior(far, passage.doc_id).passages] == [other, passage]  # mild


def test_small_talk_is_not_a_follow_up(core: BotCore) -> None:
    answer = core.ask(Question("thanks!", context=(Turn("Who launched the Paris Call?"),)))
    assert not answer.searched and answer.understood_as == ""


def test_the_cache_keeps_conversations_apart(core: BotCore) -> None:
    one = core.ask(Question("and when?", context=(Turn("Who launched the Paris Call?"),)))
    other = core.ask(Question("and when?", context=(Turn("when is infoforum 2019?"),)))
    alone = core.ask(Question("and when?"))
    assert "Who launched" in one.understood_as and "infoforum" in other.understood_as
    assert alone.understood_as == ""


def test_max_turns_zero_answers_every_question_alone(make_core) -> None:
    core = make_core(conversation={"max_turns": 0})
    answer = core.ask(Question("and when?", context=(Turn("Who launched the Paris Call?"),)))
    assert answer.understood_as == ""


def test_eval_asks_conversation_turns_after_their_earlier_turns(core: BotCore, tmp_path) -> None:
    rows = [
        {"id": "a1", "question": "what is principle 8?", "answers": ["hacking-back"], "context": []},
        {
            "id": "a2",
            "question": "and the next one?",
            "answers": ["international norms"],
            "context": ["what is principle 8?"],
        },
    ]
    path = tmp_path / "conv.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    items = load_eval(path)
    assert items[1].context == ("what is principle 8?",) and items[1].followup
    turns = conversation_turns(core, items)
    assert turns[0] == () and turns[1][0].question == "what is principle 8?"
    assert "hacking-back" in turns[1][0].answer  # the bot's own answer to the earlier turn
    report = evaluate(core, items)
    assert report.followups == 1 and report.followup_hit1 == 1.0
    assert report.lines()[-1].startswith("follow-ups (1): hit@1 1.000")


def test_eval_items_without_context_are_not_follow_ups() -> None:
    assert not EvalItem("x", "q", ("a",), "standalone", context=("earlier",)).followup
    assert not EvalItem("y", "q", ("a",), "first").followup
