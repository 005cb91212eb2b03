"""Regex sentence splitting: abbreviations, numbers, quotes, bullets and headings."""

from __future__ import annotations

import pytest

from bot.ingest import split_sentences
from bot.ingest.sentences import split_units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Macron met Dr. Smith. They spoke.", ["Mr. Macron met Dr. Smith.", "They spoke."]),
        ("Firms in the U.S. Congress agreed. Then it ended.", ["Firms in the U.S. Congress agreed.", "Then it ended."]),
        ("Use tools, e.g. Firewalls and i.e. Patches. Done.", ["Use tools, e.g. Firewalls and i.e. Patches.", "Done."]),
        ("See No. 5 today. And Nov. 12 too. Fine.", ["See No. 5 today.", "And Nov. 12 too.", "Fine."]),
        (
            "It cost 3.5 million euros. Only 0.2 percent was spent.",
            ["It cost 3.5 million euros.", "Only 0.2 percent was spent."],
        ),
        ("It was launched in 2018. 51 states signed.", ["It was launched in 2018.", "51 states signed."]),
        ("He said: “We agree.” Then he left.", ["He said: “We agree.”", "Then he left."]),
        ("“Is it safe?” she asked. Yes!", ["“Is it safe?” she asked.", "Yes!"]),
        ("It ended. “Now we act,” he said.", ["It ended.", "“Now we act,” he said."]),
        ("J. R. Smith wrote it. Fine.", ["J. R. Smith wrote it.", "Fine."]),
        ("Version 2.0 is out... Next one.", ["Version 2.0 is out...", "Next one."]),
        ("lower case after a period. stays together", ["lower case after a period. stays together"]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_bullets_and_headings_are_their_own_sentences() -> None:
    text = (
        "A call to tackle new threats together\n\n"
        "Supporters are committed to:\n"
        "- increase prevention against malicious online activity;\n"
        "• protect the integrity of the Internet;\n"
        "· cooperate to prevent interference in electoral processes\n"
        "1. Numbered item. With a second sentence.\n"
    )
    assert split_sentences(text) == [
        "A call to tackle new threats together",
        "Supporters are committed to:",
        "increase prevention against malicious online activity;",
        "protect the integrity of the Internet;",
        "cooperate to prevent interference in electoral processes",
        "Numbered item.",
        "With a second sentence.",
    ]
    kinds = [u.kind for u in split_units(text)]
    assert kinds == ["heading", "sentence", "bullet", "bullet", "bullet", "bullet", "sentence"]
    assert [u.prefix for u in split_units(text)][2:6] == ["- ", "- ", "- ", "1. "]


def test_line_break_is_a_boundary_and_empty_text() -> None:
    assert split_sentences("First line without stop\nSecond line.") == ["First line without stop", "Second line."]
    assert split_sentences("") == []
    assert split_sentences("\n \n") == []


def test_long_unpunctuated_line_is_not_a_heading() -> None:
    line = "word " * 60
    assert [u.kind for u in split_units(line)] == ["sentence"]
