"""Expected answer types from question words, and sentences that hold them."""

from __future__ import annotations

import pytest

from bot.retrieval.answer_type import has_type, question_type


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Who launched the Paris Call?", "person"),
        ("Which member of the government, and who laid out its aims?", "person"),
        ("When does Infoforum 2019 open?", "date"),
        ("Since when has the forum been held?", "date"),
        ("What is the date of the Paris Call?", "date"),
        ("what's the year the forum started?", "date"),
        ("On what date did BritishAmerican Business sign?", "date"),
        ("What was the day the Call was signed?", "date"),
        ("On what day of the week was it launched?", "day"),
        ("How many states supported the Call?", "number"),
        ("What does the Call say about hack-back?", None),
        ("Why did France pick that day?", None),
        ("What is the data protection regime?", None),
    ],
)
def test_question_type(question, kind):
    assert question_type(question) == kind


def test_sentences_with_and_without_the_expected_type():
    assert has_type("It was launched by Mr Emmanuel Macron at the forum.", "person")
    assert not has_type("the call was launched later that day.", "person")
    assert has_type("This past Monday, the Call was launched.", "day")
    assert not has_type("The Call was launched later that day.", "day")
    assert has_type("The forum opens on January 31 in Moscow.", "date")
    assert has_type("It is signed by 150 companies.", "number")
    assert not has_type("Anything at all.", None)
