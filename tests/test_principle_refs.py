"""Questions naming principles by number are searched with those principles' wording."""

from __future__ import annotations

import pytest

from bot.principles import load_principles
from bot.retrieval.principle_refs import PrincipleRefs, out_of_range, principle_refs, search_text
from bot.types import Question
from tests.conftest import KNOWLEDGE

PRINCIPLES = load_principles(KNOWLEDGE / "principles.yaml")


@pytest.mark.parametrize(
    "question, numbers",
    [
        ("What is principle 8?", (8,)),
        ("What does the third principle say?", (3,)),
        ("the 8th principle", (8,)),
        ("principle #2", (2,)),
        ("Principle no. 7", (7,)),
        ("principle nine", (9,)),
        ("Explain principles 4 and 5", (4, 5)),
        ("principles 2, 5 and 9", (2, 5, 9)),
        ("principles 1-3", (1, 2, 3)),
        ("principles 1 to 3", (1, 2, 3)),
        ("the first and second principles", (1, 2)),
        ("What is principle 12?", (12,)),
    ],
)
def test_numbered_references(question, numbers):
    assert principle_refs(question) == PrincipleRefs(numbers=numbers)


@pytest.mark.parametrize(
    "question, everything",
    [
        ("What are the principles of the Paris Call?", True),
        ("How many principles does the Paris Call have?", True),
        ("List the nine principles", True),
        # principles in passing, or one principle described: an ordinary question
        ("Which principle stops private firms from hacking back?", False),
        ("As the only international organization to join these principles, what role does the WEF play?", False),
        ("Do Russia's proposals share the principles of the Paris Call?", False),
        ("What does the Call say about elections?", False),
    ],
)
def test_questions_about_all_the_principles(question, everything):
    assert principle_refs(question) == PrincipleRefs(everything=everything)


def test_out_of_range_gets_a_polite_refusal():
    assert out_of_range(principle_refs("What is principle 12?"), 9) == (
        "The Call has 9 principles, numbered 1 to 9; there is no principle 12."
    )
    assert out_of_range(principle_refs("What is principle 9?"), 9) is None
    assert out_of_range(principle_refs("What is principle 3?"), 0) is None  # no principles file: no claim


def test_search_text_adds_the_named_wording():
    assert search_text("What is principle 8?", PRINCIPLES) == "What is principle 8? " + PRINCIPLES[7].text
    both = search_text("principles 4 and 5", PRINCIPLES)
    assert PRINCIPLES[3].text in both and PRINCIPLES[4].text in both
    assert all(p.title in search_text("List the principles", PRINCIPLES) for p in PRINCIPLES)
    assert search_text("Who launched the Call?", PRINCIPLES) == "Who launched the Call?"
    assert search_text("What is principle 8?", ()) == "What is principle 8?"


def test_the_core_searches_with_the_wording_but_answers_the_question(make_core, fake_embedder):
    seen: list[str] = []
    embed = fake_embedder.embed_batch

    def recording(texts):
        seen.extend(texts)
        return embed(texts)

    core = make_core(embedder=fake_embedder)
    fake_embedder.embed_batch = recording
    answer = core.ask(Question("What is principle 8?"))
    assert PRINCIPLES[7].text in seen[0]
    assert answer.question == "What is principle 8?"
    assert PRINCIPLES[7].text in answer.passages[0].passage.text


def test_the_core_refuses_a_principle_that_does_not_exist(make_core):
    answer = make_core().ask(Question("What does principle 12 say?"))
    assert not answer.answered and answer.passages == ()
    assert "no principle 12" in answer.message


def test_a_broken_principles_file_does_not_stop_answers(make_core, knowledge_copy):
    (knowledge_copy / "principles.yaml").write_text("principles: [oops", encoding="utf-8")
    answer = make_core().ask(Question("What is principle 8?"))
    assert answer.passages  # searched as written
