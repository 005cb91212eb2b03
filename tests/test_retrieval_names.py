"""Unknown proper names: read from the knowledge base, never from a list of names."""

from __future__ import annotations

import pytest

from bot.retrieval.names import NameGrounding, definition_subject
from bot.types import Question

CORPUS = [
    "Paris Call for Trust and Security in Cyberspace",
    "The Call is supported by the US, Japan and the Republic of Korea.",
    "Troels Oerting, Head of the Centre for Cybersecurity at the World Economic Forum, spoke.",
    "The World Economic Forum Centre met.",
    "Mikhail Anisimov will speak at Infoforum 2019.",
    "BritishAmerican Business signed it.",
]


@pytest.fixture
def names() -> NameGrounding:
    return NameGrounding(CORPUS)


@pytest.mark.parametrize(
    "question, unknown",
    [
        ("What does the Tallinn Manual say about cyber operations?", ("Tallinn Manual",)),
        ("Which countries ratified the Budapest Convention on Cybercrime?", ("Budapest Convention on Cybercrime",)),
        ("What did the UN Open-Ended Working Group agree?", ("UN Open-Ended Working Group",)),
        ("Compare the Tallinn Manual and the Budapest Convention", ("Tallinn Manual", "Budapest Convention")),
        ("I read about the Tallinn Manual. What does the Call say?", ("Tallinn Manual",)),
        ("Which group was blamed for the SolarWinds hack?", ("SolarWinds",)),  # a capital inside
        ("What is the maximum GDPR fine?", ("GDPR",)),  # an acronym of 4+ letters
        ("What do NIS2 and the ENISA mandates require?", ("NIS2", "ENISA")),
        ("What does the EU NIS2 Directive require?", ("NIS2",)),  # named once, not twice
    ],
)
def test_names_no_document_uses_are_reported(names, question, unknown):
    assert names.unknown(question) == unknown


@pytest.mark.parametrize(
    "question",
    [
        "What did the World Economic Forum say?",  # verbatim
        "When did BritishAmerican Business sign?",  # a capital inside, used by the documents
        "What is Mikhail Anisimov's report about?",  # possessive
        "Did the United States sign?",  # initials: "US" is in the documents
        "Did South Korea join?",  # head word: "Korea" is a name in the documents
        "Who heads the World Economic Forum's Centre for Cybersecurity?",
        "What's the Paris Call?",  # the question word is not part of the name
        "What did Davos say?",  # one capitalised word is not a multi-word name
        "what does the tallinn manual say?",  # lower case: not read as a name
        "DID MICROSOFT SIGN THE PARIS CALL?",  # shouted: names cannot be told from words
        "How Did Microsoft Respond To The Call?",  # title case: likewise
        "What did Mikhail AniSimov say?",  # a capital inside, but the documents use the word
        "Is the US-UK group e-mail-only?",  # no capital inside a word
        "Who runs the .ru ccTLD?",  # a capital inside, but not a capitalised word
        "Does the Call cover DDoS attacks on IoT devices?",  # jargon, not camel-case names
        "What did the WEF say?",  # short acronyms are too common to judge ("IT", "NGO")
        "What did the WEFC say?",  # the initials of a name the documents use
        "Is cyber security a job for the IT department or for NGOs?",
        "Who is Mikhail Anisimov, and what is INFOFORUM?",  # written in capitals, used in lower case
    ],
)
def test_known_names_and_non_names_pass(names, question):
    assert names.unknown(question) == ()


def test_an_empty_knowledge_base_knows_no_name():
    assert NameGrounding([]).unknown("What did the World Economic Forum say?") == ("World Economic Forum",)


@pytest.mark.parametrize(
    "question, subject",
    [
        ("What is ransomware?", "ransomware"),
        ("what are hackers", "hackers"),
        ("Define phishing.", "phishing"),
        ("What does doxxing mean?", "doxxing"),
        ("What's a botnet?", "botnet"),
        ("Who is Macron?", "Macron"),
        ("What is hack-back?", "hack-back"),
        # more than one word: not a one-word definition question
        ("What is the Internet Governance Forum?", None),
        ("What is ransomware doing to hospitals?", None),
        ("What is principle 8?", None),
    ],
)
def test_definition_subject(question, subject):
    assert definition_subject(question) == subject


def test_a_definition_of_a_word_no_document_uses_is_declined(make_core):
    core = make_core()
    answer = core.ask(Question("What is ransomware?"))
    assert not answer.answered and "“ransomware”" in answer.message
    # stemmed: the documents' "hacking-back" and "signatories" cover these
    retriever = core.serving.retriever
    assert retriever.unknown_names("What is hack-back?") == ()
    assert retriever.unknown_names("What is a signatory?") == ()
    assert retriever.unknown_names("What is the WEF?") == ()  # initials of a name they use
    assert retriever.unknown_names("What's the Tallinn Manual?") == ("Tallinn Manual",)
