"""The spelling corrector on a small vocabulary: what it corrects and what it never touches."""

from __future__ import annotations

import pytest

from bot.retrieval.lexical import LexicalIndex
from bot.retrieval.spelling import EnglishWords, Speller, english_words

TEXTS = [
    "The Call was launched in Paris by Emmanuel Macron.",
    "Supporters improve everybody's cyber hygiene, and the launch was praised.",
    "He said the section on hygiene was short.",
    "Every action counts; one action, then another action.",
    "The GDPR applies to NIS2 operators in 2018.",
    "A task force was set up.",
]


@pytest.fixture(scope="module")
def speller() -> Speller:
    lexical = LexicalIndex(TEXTS)
    return Speller(TEXTS, lexical.knows)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("cyber hygene", "cyber hygiene"),
        ("who lanched the paris call", "who launched the paris call"),
        ("Hygene of the Call", "Hygiene of the Call"),  # the user's case is kept
        ("What did Macorn say?", "What did Macron say?"),
        ("the Pairs Call", "the Paris Call"),  # a name, though "pairs" is an English word
        ("what did the suportters do", "what did the supporters do"),  # two edits: long word
    ],
)
def test_misspelled_words_are_read_as_the_documents_words(speller, typed, read):
    assert speller.correct(typed) == read


def test_a_word_of_the_documents_never_changes(speller):
    for text in TEXTS:
        assert speller.correct(text) == text
    assert speller.correct("HYGIENE hygiene Hygiene launches") == "HYGIENE hygiene Hygiene launches"  # stem


@pytest.mark.parametrize(
    "question",
    [
        "What did Donald Tusk say?",  # a name the documents do not use is not made into "task"
        "What does the GDRP say?",  # acronym
        "Is NIS3 in force?",  # digits
        "what about teh",  # three letters or fewer
        "WHAT ABOUT CYBER HYGENE",  # shouted: names and acronyms cannot be told apart
        "who laid out the plan",  # an English word, not a misspelling of "said"
        "hygene" * 6,  # longer than any word: left alone, without comparing it with anything
    ],
)
def test_names_numbers_acronyms_short_and_english_words_are_kept(speller, question):
    assert speller.correct(question) == question


def test_without_the_english_list_a_real_word_would_be_read_as_a_document_word():
    bare = Speller(TEXTS, english=EnglishWords({}))
    assert bare.correct("who laid out the plan") == "who said out the plan"
    assert "laid" in english_words()


def test_the_candidate_most_passages_use_wins_among_the_nearest(speller):
    # "sction" is one edit from both "section" (1 passage) and "action" (1 passage, 3 times):
    # counts are per passage, so the tie is broken alphabetically and stays stable.
    assert speller.correct("the sction") == "the action"
    more = Speller([*TEXTS, "A section here.", "Another section there."], english=EnglishWords({}))
    assert more.correct("the sction") == "the section"


def test_nearest_candidate_wins_over_a_more_frequent_one():
    speller = Speller(["policies", *["politics"] * 5], english=EnglishWords({}))
    assert speller.correct("policiies") == "policies"  # one edit; "politics" is two


def test_an_english_word_with_a_documents_stem_is_a_candidate():
    # The documents say "join", never "joining": "joiing" is read as "joining" (BM25: "join").
    lexical = LexicalIndex(["They join the Call."])
    english = EnglishWords({"joining": 5_000_000, "joint": 9_000_000})
    assert Speller(["They join the Call."], lexical.knows, english).correct("who is joiing") == "who is joining"


def test_a_common_english_word_is_the_last_resort_for_long_enough_words():
    english = EnglishWords(
        {"framework": 5_000_000, "habits": 2_000_000, "rare": 10, "rarely": 10, "orgs": 0, "org": 5_000_000}
    )
    speller = Speller(["A text about cyber hygiene."], english=english)
    assert speller.correct("a worldwide framwwork") == "a worldwide framework"
    assert speller.correct("basic haibts") == "basic habits"
    assert speller.correct("rarelly") == "rarelly"  # "rarely" is too rare to be the guess
    assert speller.correct("intl orgz") == "intl orgz"  # four letters: no English fallback


def test_a_word_of_the_documents_beats_an_english_word_at_the_same_distance():
    english = EnglishWords({"suffer": 50_000_000, "safer": 1_000_000})
    speller = Speller(["Products must be safer."], english=english)
    assert speller.correct("saffer products") == "safer products"
