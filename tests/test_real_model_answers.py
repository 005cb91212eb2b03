"""The one-line answer with the real model: typical chat questions get the sentence that
answers them, with the answering part marked (marked `real_model`)."""

from __future__ import annotations

import pytest

from bot.types import Question
from tests.test_real_model import real_core, real_workspace  # noqa: F401  (session fixtures)

pytestmark = pytest.mark.real_model


@pytest.mark.parametrize(
    "question, span_holds",
    [
        ("how many countries support the paris call", "51 states"),
        ("when was the paris call launched", "November 12"),
        ("who launched the paris call", "President of the French Republic"),
        ("since when has the infoforum been held", "since 2001"),
        ("which countries did not sign", "Israel, Iran, Saudi Arabia and North Korea"),
        ("what is the paris call", "a high-level declaration"),
    ],
)
def test_typical_questions_lead_with_the_answering_sentence(real_core, question, span_holds):  # noqa: F811
    answer = real_core.ask(Question(question))
    assert answer.answered, question
    assert span_holds in answer.lead_span, (question, answer.lead, answer.lead_span)
    assert answer.lead_span in answer.lead
    passage = next(p.passage for p in answer.passages if p.passage.passage_id == answer.lead_passage_id)
    assert answer.lead in " ".join(passage.text.split())  # a sentence of the documents


def test_structured_facts_come_from_the_principles_file(real_core):  # noqa: F811
    count = real_core.ask(Question("how many principles are there in total?"))
    assert count.lead == "The Paris Call has nine principles." and count.suggestion_kind == "principles"
    third = real_core.ask(Question("what is principle 3"))
    assert real_core.principle(3).text in third.lead


def test_off_topic_questions_get_no_answer_line(real_core):  # noqa: F811
    answer = real_core.ask(Question("What's the weather going to be like tomorrow?"))
    assert not answer.answered and answer.lead == ""
