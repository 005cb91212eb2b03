"""The bot core on the fake embedder: cited answers, declining, validation, versions."""

from __future__ import annotations

import asyncio

import pytest

from bot.errors import QuestionError
from bot.types import Answer, Question


def test_a_question_about_the_call_gets_cited_passages(make_core):
    core = make_core()
    answer = core.ask(Question("Which countries opted out of pledging support: the US, Russia and China?"))
    assert answer.answered
    assert 1 <= len(answer.passages) <= 3
    top = answer.passages[0]
    assert "Russia" in top.passage.text
    assert top.passage.title and top.passage.publisher and top.passage.date
    assert top.best_sentence and top.best_sentence in top.passage.text
    scores = [p.score for p in answer.passages]
    assert scores == sorted(scores, reverse=True)
    assert answer.index_version == core.index_version


def test_off_topic_question_is_declined_with_suggestions(make_core):
    answer = make_core().ask(Question("Which football team won the match yesterday?"))
    assert not answer.answered
    assert "do not cover" in answer.message
    assert answer.suggestion_kind == "topics"  # each renderer words what it can answer instead
    assert not answer.suggestions  # no user-facing text from retrieval


def test_top_k_is_respected(make_core):
    core = make_core()
    assert len(core.ask(Question("hack-back non-state actors", top_k=5)).passages) == 5
    assert len(core.ask(Question("hack-back non-state actors", top_k=1)).passages) == 1


def test_near_duplicate_passages_are_collapsed(make_core):
    """The principles appear in several documents; the top answers must not repeat one."""
    core = make_core()
    answer = core.ask(Question("intellectual property theft trade secrets", top_k=5))
    best = [p.best_sentence.lower() for p in answer.passages]
    assert len(set(best)) == len(best)
    vectors = core.embedder.embed_batch(best)
    sims = vectors @ vectors.T
    for i in range(len(best)):
        for j in range(i):
            assert sims[i, j] < core.settings.retrieval.dedup_threshold


@pytest.mark.parametrize("text", ["", "   ", "?!...", "\u200b\u200f\u202e", "\x00\x01"])
def test_empty_or_unreadable_questions_are_refused_politely(make_core, text):
    with pytest.raises(QuestionError, match="Please ask a question"):
        make_core().ask(Question(text))


def test_overlong_question_is_refused(make_core):
    core = make_core(limits={"max_question_chars": 50})
    with pytest.raises(QuestionError, match="please keep it under 50"):
        core.ask(Question("hack-back " * 20))
    with pytest.raises(QuestionError):
        core.ask(Question("x" * 100_000))


def test_control_and_invisible_characters_are_ignored(make_core):
    core = make_core()
    clean = core.ask(Question("What about hack-back by non-state actors?"))
    noisy = core.ask(Question("What\u200b about hack-back\x07 by non-state\u202e actors?"))
    assert [p.passage.passage_id for p in noisy.passages] == [p.passage.passage_id for p in clean.passages]


def test_ask_many_keeps_order_and_isolates_bad_questions(make_core):
    core = make_core()
    results = core.ask_many([Question("hack-back"), Question(""), Question("electoral processes interference")])
    assert isinstance(results[0], Answer) and isinstance(results[2], Answer)
    assert isinstance(results[1], QuestionError)
    assert results[0].question == "hack-back"
    assert "electoral" in results[2].passages[0].passage.text.lower()


def test_ask_many_embeds_in_one_batch(make_core):
    core = make_core()
    embedder = core.embedder
    before = embedder.calls
    core.ask_many([Question(f"question number {i} about electoral interference") for i in range(10)])
    assert embedder.calls == before + 1


def test_answers_are_cached_per_index_version(make_core, knowledge_copy):
    core = make_core()
    embedder = core.embedder
    core.ask(Question("Who signed the call?"))
    calls = embedder.calls
    assert core.ask(Question("  who SIGNED the call? ")).question  # normalised key: cache hit
    assert embedder.calls == calls
    (knowledge_copy / "extra.md").write_text("# Extra\n\nMore signatories joined the Paris Call later.\n")
    core.serve(core.index.build_and_promote().data)
    core.ask(Question("Who signed the call?"))
    assert embedder.calls > calls  # a new version empties the cache


def test_ask_async_runs_off_the_event_loop_in_batches(make_core):
    """Concurrent callers share embedding batches and each gets its own answer, in order."""
    import threading

    core = make_core(embedding={"max_batch_wait_ms": 20})
    threads = []
    original = core.ask_many

    def spy(questions):
        threads.append(threading.current_thread().name)
        return original(questions)

    core.ask_many = spy  # type: ignore[method-assign]
    questions = [f"electoral interference question {i}" for i in range(16)] + ["hack-back non-state actors"] * 4

    async def main():
        return await asyncio.gather(*(core.ask_async(Question(q)) for q in questions), return_exceptions=True)

    calls_before = core.embedder.calls
    answers = asyncio.run(main())
    assert [a.question for a in answers] == questions
    assert all(name == "callbot-batcher" for name in threads)
    assert core.embedder.calls - calls_before < len(questions) / 2  # batched, not one call each
    assert "hack" in answers[-1].passages[0].passage.text.lower()


def test_ask_async_reports_a_bad_question_only_to_its_caller(make_core):
    core = make_core()

    async def main():
        return await asyncio.gather(
            core.ask_async(Question("")), core.ask_async(Question("hack-back")), return_exceptions=True
        )

    bad, good = asyncio.run(main())
    assert isinstance(bad, QuestionError)
    assert isinstance(good, Answer) and good.answered


def test_principles_and_sources(make_core):
    core = make_core()
    principles = core.principles()
    assert [p.number for p in principles] == list(range(1, 10))
    assert "hack" in core.principle(8).text.lower()
    assert all(len(p.title.split()) <= 8 for p in principles)
    with pytest.raises(QuestionError, match="from 1 to 9"):
        core.principle(10)
    sources = core.sources()
    assert len(sources) == 5
    assert {s.publisher for s in sources} >= {"World Economic Forum", "BritishAmerican Business"}


def test_listeners_see_every_answer(make_core):
    core = make_core()
    seen = []
    core.add_listener(lambda q, a, seconds: seen.append((q.text, a.answered, seconds >= 0)))
    core.ask(Question("hack-back"))
    assert seen == [("hack-back", True, True)]


def test_a_year_no_document_mentions_is_declined(make_core):
    core = make_core()
    assert core.ask(Question("Which states signed the Paris Call in 2018?")).answered
    answer = core.ask(Question("Which states signed the Paris Call in 2031?"))
    assert not answer.answered
    assert "2031" in answer.message


def test_a_name_no_document_mentions_is_declined_and_named(make_core):
    core = make_core()
    answer = core.ask(Question("What does the Tallinn Manual say about hack-back?"))
    assert not answer.answered
    assert "Tallinn Manual" in answer.message
    assert answer.passages  # the candidates are still listed (the JSON contract)
    assert core.ask(Question("What does the Paris Call say about hack-back?")).answered


def test_the_unknown_name_rule_can_be_turned_off(make_core):
    core = make_core(retrieval={"decline_unknown_names": False})
    assert core.ask(Question("What does the Tallinn Manual say about hack-back?")).answered
