"""The one-line answer: asked types, span marking, structured principle facts, the three
states, the JSON keys, lead@1 and the terminal rendering (fake embedder)."""

from __future__ import annotations

import json
import re

import pytest
from rich.console import Console

from bot.answering import spans
from bot.answering.lead import choose_lead, find_span
from bot.evaluation import EvalItem, lead_hit
from bot.render.common import lead_parts, lead_preface, supporting_passages
from bot.render.console import answer_plain, answer_renderable
from bot.render.json_contract import answer_to_json
from bot.types import Answer, Passage, Question, ScoredPassage


@pytest.mark.parametrize(
    "question, kind",
    [
        ("how many countries signed it?", "number"),
        ("When was the Paris Call launched?", "date"),
        ("what year did it start", "date"),
        ("where was the call launched?", "place"),
        ("which countries signed?", "list"),
        ("what companies backed it", "list"),
        ("who launched the paris call", "person"),
        ("which minister presented it?", "person"),
        ("What is the Paris Call?", "definition"),
        ("what does cyber hygiene mean", "definition"),
        ("Did Microsoft sign?", "yesno"),
        ("tell me about hack-back", None),
    ],
)
def test_the_question_says_what_it_asks_for(question, kind):
    assert spans.asked_kind(question) == kind


def test_a_count_is_marked_with_its_noun_and_must_count_the_asked_thing():
    sentence = "It is signed by 150 companies and professional associations as well as 60 civil society organizations."
    assert find_span(sentence, "number", "how many companies signed?")[0] == "150 companies"
    assert find_span(sentence, "number", "how many NGOs signed up")[0] == "60 civil society organizations"
    assert (
        find_span("The call has been supported by 51 states.", "number", "how many countries back it")[0] == "51 states"
    )
    # a count of something else is no answer to "how many countries"
    assert find_span(sentence, "number", "how many countries signed?") == ("", 0.0)
    # years, days of the month and phone numbers are not counts
    assert spans.number_spans("on 12 November 2018 in 2019, call +41 (0)79 571 8287") == []


@pytest.mark.parametrize(
    "sentence, kind, question, span",
    [
        ("The Call was launched on 12 November 2018 at the Forum.", "date", "when was it launched", "12 November 2018"),
        ("This past Monday(November 12), Macron launched the Call.", "date", "when", "Monday(November 12)"),
        ("A summit on 12 November at Paris City Hall;", "place", "where was the summit", "at Paris City Hall"),
        (
            "The objectives were laid out by Jean-Yves Le Drian this morning.",
            "person",
            "who laid out the objectives",
            "Jean-Yves Le Drian",
        ),
        (
            "It was signed by Mexico, Chile, Lebanon, Morocco and Republic of Korea.",
            "list",
            "which countries signed",
            "Mexico, Chile, Lebanon, Morocco and Republic of Korea",
        ),
        (
            "The Paris Call for Trust and Security in Cyberspace is a high-level declaration for common principles.",
            "definition",
            "what is the paris call",
            "a high-level declaration for common principles",
        ),
    ],
)
def test_the_span_holds_what_was_asked(sentence, kind, question, span):
    assert find_span(sentence, kind, question)[0] == span


def test_a_quote_that_names_the_subject_does_not_define_it():
    quote = "“The Paris Call is a step in the right direction,” said an executive."
    assert spans.is_quote(quote)
    assert not spans.is_quote("The Paris Call is a high-level declaration.")


def test_the_answer_is_a_document_sentence_holding_the_asked_count(make_core):
    answer = make_core().ask(Question("how many states support the call?"))
    assert answer.answered and not answer.lead_gap
    assert answer.lead_span == "51 states"
    source = next(p for p in answer.passages if p.passage.passage_id == answer.lead_passage_id)
    assert answer.lead in " ".join(source.passage.text.split())  # a sentence of the documents, never invented


def test_a_missing_type_is_reported_not_invented(make_core):
    core = make_core()
    question = "how many judges signed the paris call declaration?"
    ranked = core.serving.retriever.rank(question, core.embedder.embed_batch([question])[0], 3)
    lead = choose_lead(question, ranked, core.serving.retriever)
    assert lead is not None and lead.gap == "number" and lead.span == ""
    assert any(lead.text in " ".join(p.passage.text.split()) for p in ranked.passages)  # still a document sentence
    answer = Answer(question, True, ranked.passages, "v", lead=lead.text, lead_gap=lead.gap)
    assert lead_preface(answer) == "The documents do not give the number of judges; the closest they come is: "


def test_how_many_principles_comes_from_the_principles_file(make_core):
    core = make_core()
    answer = core.ask(Question("how many principles are there in total?"))
    assert answer.answered and answer.lead == "The Paris Call has nine principles."
    assert answer.lead_span == "nine principles" and answer.suggestion_kind == "principles"
    assert answer.lead_citation.startswith(core.principles()[0].source_title)
    assert "callbot principles" in answer_plain(answer)


def test_principle_n_answers_with_its_wording(make_core):
    core = make_core()
    answer = core.ask(Question("what is principle 7?"))
    assert answer.answered
    assert core.principle(7).text in answer.lead and core.principle(7).text in answer.lead_span


def test_declined_answers_have_no_lead_and_name_a_suggestion_kind(make_core):
    answer = make_core().ask(Question("Which football team won the match yesterday?"))
    assert not answer.answered and answer.lead == "" and answer.suggestion_kind == "topics"
    obj = answer_to_json(answer)
    assert (obj["answer"], obj["answer_span"], obj["answer_passage_id"], obj["tentative"]) == ("", "", "", False)


def _passage(pid: str, doc: str, text: str, source: str = "x.md") -> Passage:
    return Passage(pid, doc, 0, text, f"Title {doc}", "Publisher", "2018-11-12", source)


def _answer(**fields) -> Answer:
    long_word = "https://example.org/" + "a" * 120
    passages = (
        ScoredPassage(
            _passage("p1", "d1", "Intro. The call has been supported by 51 states.", "https://example.org/a"),
            0.6,
            "The call has been supported by 51 states.",
        ),
        ScoredPassage(_passage("p2", "d1", "Same document again."), 0.5, "Same document again."),
        ScoredPassage(
            _passage("p3", "d2", f"Another document with a very long word {long_word} inside."),
            0.4,
            "Another document with a very long word",
        ),
        ScoredPassage(_passage("p4", "d3", "A third document."), 0.3, "A third document."),
        ScoredPassage(_passage("p5", "d4", "A fourth document."), 0.2, "A fourth document."),
    )
    base = dict(
        question="how many states support it?",
        answered=True,
        passages=passages,
        index_version="v1",
        lead="The call has been supported by 51 states.",
        lead_span="51 states",
        lead_passage_id="p1",
    )
    base.update(fields)
    return Answer(**base)


def test_json_contract_adds_the_answer_keys_and_keeps_the_old_ones():
    obj = answer_to_json(_answer(tentative=True))
    assert obj["answer"] == "The call has been supported by 51 states."
    assert obj["answer_span"] == "51 states" and obj["answer_passage_id"] == "p1" and obj["tentative"] is True
    assert obj["answer_citation"] == "Title d1 — Publisher, 2018-11-12"
    assert {"question", "answered", "passages", "index_version", "message"} <= set(obj)
    assert [p["passage_id"] for p in obj["passages"]] == ["p1", "p2", "p3", "p4", "p5"]  # best first, all listed
    json.dumps(obj)


def test_supporting_passages_come_from_other_documents_each_once():
    shown = supporting_passages(_answer())
    assert [s.passage.passage_id for s in shown] == ["p3", "p4"]


def test_span_marking_and_tentative_preface():
    assert lead_parts(_answer()) == ("The call has been supported by ", "51 states", ".")
    assert lead_preface(_answer(tentative=True)) == "The closest the documents come is: "
    assert lead_preface(_answer()) == ""


@pytest.mark.parametrize(
    "answer, phrases, hit",
    [
        (dict(), ("51 states",), True),
        (dict(), ("52 states",), False),
        (dict(answered=False, lead=""), ("51 states",), False),  # declined: 0
        (dict(lead="The call has   been supported by 51 STATES."), ("51 states",), True),  # spacing and case
    ],
)
def test_lead_at_1_reads_the_one_line_answer(answer, phrases, hit):
    item = EvalItem("q", "how many states?", ("Intro",), "literal", phrases)
    assert lead_hit(_answer(**answer), item) is hit
    # without `lead` phrases the item's answers count
    assert lead_hit(_answer(**answer), EvalItem("q", "?", phrases, "literal")) is hit


def _render(answer: Answer, verbose: bool = False) -> str:
    console = Console(width=80, record=True, force_terminal=True, color_system=None)
    console.print(answer_renderable(answer, verbose))
    return console.export_text()


def test_terminal_leads_with_the_answer_and_cuts_nothing_at_80_columns():
    out = _render(_answer())
    lines = out.splitlines()
    assert lines[0].startswith("The call has been supported by 51 states.")
    assert lines[1].startswith("— Title d1 — Publisher")
    assert all(len(line) <= 80 for line in lines)
    flat = "".join(line.strip("│ ") for line in lines)
    assert "https://example.org/" + "a" * 120 in flat  # a long word is folded onto the next line, not cut
    assert "score" not in out
    assert "score 0.40" in _render(_answer(), verbose=True)
    assert "Same document again" not in out  # the answer's own document is cited once


def test_terminal_marks_the_span_bold():
    console = Console(width=80, record=True, force_terminal=True)
    console.print(answer_renderable(_answer()))
    assert "\x1b[1m51 states" in console.export_text(styles=True)


def test_plain_text_marks_the_span_and_hides_scores():
    out = answer_plain(_answer())
    assert out.splitlines()[0] == "The call has been supported by **51 states**."
    assert "score" not in out and "score" in answer_plain(_answer(), verbose=True)


def test_callbot_ask_on_an_80_column_terminal_wraps_instead_of_cropping(make_core, monkeypatch):
    from click.testing import CliRunner

    from bot.app import App
    from bot.cli.context import AppContext
    from bot.cli.main import cli

    core = make_core()
    app = AppContext.around(App(core.settings, core))
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich treats the runner's output as a terminal
    monkeypatch.setenv("COLUMNS", "80")
    question = "Which countries opted out of pledging support: the US, Russia and China?"
    out = CliRunner().invoke(cli, ["ask", question], obj=app, catch_exceptions=False).output
    answer = core.ask(Question(question))
    lines = re.sub(r"\x1b\[[0-9;]*m", "", out).splitlines()  # styles off: what the eye sees
    assert lines and all(len(line) <= 80 for line in lines)
    words = " ".join(line.strip("│╭╮╰╯─ ") for line in lines).split()
    assert " ".join(answer.lead.split()) in " ".join(words)  # nothing of the answer is cut at the edge
    for scored in supporting_passages(answer):
        assert " ".join(scored.passage.text.split()) in " ".join(words)
    assert "score" not in out


def test_borderline_evidence_makes_an_answer_tentative_and_says_so(make_core):
    question = "how many states support the call?"
    sure = make_core(retrieval={"tentative_margin": 0.0}).ask(Question(question))
    assert sure.answered and not sure.tentative
    unsure = make_core(retrieval={"tentative_margin": 1.0}).ask(Question(question))
    assert unsure.answered and unsure.tentative and unsure.lead == sure.lead
    assert answer_to_json(unsure)["tentative"] is True
    assert answer_plain(unsure).startswith("The closest the documents come is: ")


def test_a_misspelt_counted_noun_still_finds_its_count():
    assert (
        find_span("The call has been supported by 51 states.", "number", "how many contries are in it")[0]
        == "51 states"
    )


def test_what_is_x_answers_with_a_sentence_that_defines_x_not_a_quote_naming_it(make_core):
    answer = make_core().ask(Question("what is the paris call"))
    assert answer.answered
    assert answer.lead_span.startswith("a high-level declaration")
    assert not spans.is_quote(answer.lead)
    listed = {p.passage.passage_id for p in answer.passages}
    assert answer.lead_passage_id in listed  # its passage is listed, so it is cited


def test_apposition_defines_its_subject():
    sentence = "On January 31, Infoforum 2019, the largest cybersecurity event in Russia, will open in Moscow."
    assert spans.definition_span(sentence, "infoforum") == "the largest cybersecurity event in Russia"


@pytest.mark.parametrize("question", ["the last principle?", "what is the final principle", "principle number last"])
def test_the_last_principle_is_the_last_one_in_the_file(make_core, question):
    core = make_core()
    answer = core.ask(Question(question))
    assert answer.answered and core.principles()[-1].text in answer.lead


@pytest.mark.parametrize(
    "question, kind, subject",
    [
        ("who is mikhail anisimov", "definition", "mikhail anisimov"),
        ("whos troels oerting", "definition", "troels oerting"),
        ("who is the head of the centre", "person", "head of the centre"),
    ],
)
def test_who_is_a_name_asks_what_they_are_not_for_a_name(question, kind, subject):
    assert spans.asked_kind(question) == kind and spans.defined_subject(question) == subject


def test_what_is_an_unknown_lowercase_name_is_at_best_tentative(make_core):
    from bot.answering.vocabulary import unknown_words

    core = make_core()
    retriever = core.serving.retriever
    assert unknown_words("budapest convention on cybercrime", retriever) == ("budapest",)
    assert unknown_words("paris digtal week", retriever) == ()  # a typo of a word the documents use
    answer = core.ask(Question("what is the budapest convention on cybercrime"))
    assert not answer.answered or answer.tentative
