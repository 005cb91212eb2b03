"""French questions: the language is told right, the English reading names what the question
asks, the principles and small talk are understood, and the bot's own words follow the
question's language (fake embedder; the real multilingual model is in test_french_real.py)."""

from __future__ import annotations

import json

import pytest

from bot import i18n
from bot.render.common import CONSOLE_HINTS, in_language
from bot.retrieval.french import english_names, english_reading
from bot.retrieval.language import detect_language, function_word_counts
from bot.retrieval.principle_refs import PrincipleRefs, principle_refs_of
from bot.retrieval.small_talk import small_talk
from bot.types import Question
from tests.conftest import REPO


@pytest.mark.parametrize(
    "question",
    [
        "Qui a lancé l'Appel de Paris ?",
        "combien de pays ont signe",
        "le hack-back est-il interdit ?",
        "c'est quoi le hack-back",
        "principe 3",
        "principes 4 et 5",
        "bonjour",
        "merci",
        "Que dit l'Appel de Paris ?",
        "hygiène informatique",
    ],
)
def test_french_questions_are_french(question):
    assert detect_language(question) == "fr"


@pytest.mark.parametrize(
    "question",
    [
        "Paris Call",
        "hack-back",
        "principles",
        "cyber hygiene",
        "Who launched the Paris Call?",
        "Where is La Grande Halle de La Villette?",  # French name, English question
        "Who is Jean-Yves Le Drian?",
        "What does the Call say on hack-back?",
        "Internet Governance Forum",
        "Appel de Paris",  # a bare name
        "Who signed the Appel de Paris pour la confiance et la sécurité dans le cyberespace?",
        "",
    ],
)
def test_english_questions_names_and_one_word_questions_stay_english(question):
    assert detect_language(question) == "en"


def test_names_are_left_out_of_the_count():
    assert function_word_counts("Where is La Grande Halle de La Villette?") == (0, 2)


@pytest.mark.parametrize(
    "path, language",
    [
        ("tests/eval/qa.jsonl", "en"),
        ("tests/eval/qa_blind2.jsonl", "en"),
        ("tests/eval/chat.jsonl", "en"),
        ("tests/eval/typos/qa_holdout.jsonl", "en"),
        ("tests/eval/qa_fr.jsonl", "fr"),
        ("tests/eval/french.jsonl", "fr"),
    ],
)
def test_every_question_of_the_sets_is_told_its_language(path, language):
    questions = [json.loads(line)["question"] for line in (REPO / path).read_text(encoding="utf-8").splitlines()]
    assert [q for q in questions if detect_language(q) != language] == []


@pytest.mark.parametrize(
    "question, reading",
    [
        ("Qui a lancé l'Appel de Paris ?", "who launched Paris Call"),
        ("c'était quand le lancement de l'appel", "when launch Call"),
        ("combien d'états soutiennent l'appel", "how many states support Call"),
        ("Où a été lancé l'Appel ?", "where launched Call"),
        ("l'appel interdit-il le hack-back ?", "Call prevent hack-back"),
        ("qu'est-ce que l'hygiène informatique ?", "what cyber hygiene"),
        (
            "Appel de Paris pour la confiance et la sécurité dans le cyberespace",
            "Paris Call for Trust and Security in Cyberspace",
        ),
    ],
)
def test_the_english_reading_uses_the_documents_words_question_word_first(question, reading):
    assert english_reading(question) == reading


@pytest.mark.parametrize(
    "question, english",
    [
        ("What is the Appel de Paris?", "What is the Paris Call?"),
        (
            "Who signed the Appel de Paris pour la confiance et la securite dans le cyberespace?",
            "Who signed the Paris Call for Trust and Security in Cyberspace?",
        ),
        ("Who launched the Paris Call?", "Who launched the Paris Call?"),
    ],
)
def test_the_calls_french_names_are_read_as_its_english_names(question, english):
    assert english_names(question) == english


def test_an_english_question_naming_the_call_in_french_is_answered(make_core):
    answer = make_core().ask(Question("When was the Appel de Paris launched?"))
    assert answer.language == "en" and answer.answered and "Appel de Paris" not in answer.message


@pytest.mark.parametrize(
    "question, reading",
    [
        ("qui a lance lappel de paris", "who launched Paris Call"),
        ("combien detats ont signe", "how many states signed"),
        ("cest quoi le principe 3", "what is principle 3"),
        ("quels pays nont pas signe", "which countries declined to sign"),
    ],
)
def test_chat_style_french_without_accents_or_apostrophes(question, reading):
    assert english_reading(question) == reading


def test_names_keep_their_capitals_in_the_reading():
    assert english_reading("Qu'est-ce que la Convention de Budapest ?") == "what Convention Budapest"


@pytest.mark.parametrize(
    "question, numbers",
    [
        ("principe 3", (3,)),
        ("c'est quoi le principe 8 ?", (8,)),
        ("le troisième principe", (3,)),
        ("principes 4 et 5", (4, 5)),
        ("que dit le neuvième principe ?", (9,)),
        ("principe 12", (12,)),
    ],
)
def test_french_principle_references(question, numbers):
    assert principle_refs_of(english_reading(question), 9) == PrincipleRefs(numbers=numbers)


def test_french_questions_about_all_the_principles():
    assert principle_refs_of(english_reading("Quels sont les principes de l'Appel de Paris ?"), 9).everything


@pytest.mark.parametrize(
    "message, kind",
    [
        ("bonjour", "greeting"),
        ("Bonsoir !", "greeting"),
        ("merci bien", "thanks"),
        ("qui es-tu ?", "identity"),
        ("raconte-moi une blague sur les hackers", "creative"),
        ("Bonjour, qui a lancé l'appel ?", None),
    ],
)
def test_french_small_talk(message, kind):
    assert small_talk(message) == kind


def test_every_sentence_has_a_french_wording():
    english, french = i18n._TEXT["en"], i18n._TEXT["fr"]
    assert set(english) == set(french)
    assert len(in_language(CONSOLE_HINTS, "fr").topics) == len(CONSOLE_HINTS.topics)
    assert i18n.text("decline", "de") == i18n.text("decline")  # unknown language: English


def test_a_french_greeting_is_answered_in_french(make_core):
    answer = make_core().ask(Question("bonjour"))
    assert answer.language == "fr" and answer.message == i18n.text("greeting", "fr") and not answer.searched


def test_a_principle_that_does_not_exist_is_refused_in_french(make_core):
    answer = make_core().ask(Question("principe 12"))
    assert answer.language == "fr" and not answer.searched
    assert answer.message == i18n.text("out_of_range", "fr", count=9, missing=12)


def test_an_english_question_is_unchanged(make_core):
    answer = make_core().ask(Question("Who launched the Paris Call?"))
    assert answer.language == "en" and answer.question == "Who launched the Paris Call?"


def test_a_french_decline_is_worded_in_french(make_core):
    core = make_core()
    answer = core.ask(Question("Quel temps fera-t-il à Paris demain ?"))
    assert answer.language == "fr" and answer.question == "Quel temps fera-t-il à Paris demain ?"
    assert not answer.answered
    assert answer.message.startswith("Les documents dont je dispose")
    from bot.render.common import decline_text

    assert "Je peux répondre à des questions sur les neuf principes de l'Appel" in decline_text(answer)


def test_a_french_unknown_name_is_named_in_the_french_decline(make_core):
    answer = make_core().ask(Question("Que dit le RGPD sur les données personnelles ?"))
    assert not answer.answered and "« RGPD »" in answer.message


@pytest.mark.parametrize(
    "key, values",
    [
        ("decline", {}),
        ("decline_names", {"names": "“Tallinn Manual” or “GDPR”"}),
        ("decline_years", {"years": "2021 or 2022"}),
        ("out_of_range", {"count": 9, "missing": 12}),
        ("greeting", {}),
    ],
)
def test_the_bots_english_sentences_are_reworded_in_french(key, values):
    french = {k: str(v).replace("“", "« ").replace("”", " »").replace(" or ", " ou ") for k, v in values.items()}
    assert i18n.reword(i18n.text(key, **values), "fr") == i18n.text(key, "fr", **french)


def test_unknown_text_is_not_reworded():
    assert i18n.reword("Something else.", "fr") == "Something else."
    assert i18n.locale_language("fr") == "fr" and i18n.locale_language("fr-CA") == "fr"
    assert i18n.locale_language("en-US") is None and i18n.locale_language(None) is None


def test_a_french_follow_up_is_read_with_its_conversation(make_core):
    from bot.types import Turn

    core = make_core()
    answer = core.ask(Question("et le suivant ?", context=(Turn("Quel est le troisième principe ?"),)))
    assert answer.language == "fr" and answer.question == "et le suivant ?"
    assert answer.answered and answer.understood_as == "principle 4"
    assert core.principle(4).text[:40] in answer.lead


def test_a_french_question_that_stands_alone_ignores_the_conversation(make_core):
    from bot.types import Turn

    core = make_core()
    alone = core.ask(Question("Qui a lancé l'Appel de Paris ?"))
    after = core.ask(Question("Qui a lancé l'Appel de Paris ?", context=(Turn("principe 8"),)))
    assert after.language == "fr" and not after.understood_as
    assert [p.passage.passage_id for p in after.passages] == [p.passage.passage_id for p in alone.passages]


def test_every_french_platform_word_is_a_field_of_the_platforms_hints():
    from dataclasses import fields

    from bot.render.common import CONSOLE_HINTS, Hints, in_language

    names = {f.name for f in fields(Hints)}
    assert set(i18n.hint_words("fr")) <= names
    french = in_language(CONSOLE_HINTS, "fr")
    assert french.principles == CONSOLE_HINTS.principles  # the commands stay as typed
    assert french.can_answer.startswith("Je peux") and in_language(CONSOLE_HINTS, "en") is CONSOLE_HINTS
