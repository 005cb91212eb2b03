"""Expected answer types: a "who" question is answered by a sentence naming someone.

Classic question-answering practice: the question word says what kind of thing the answer
is (a person, a date or day, a number, a place), and a passage whose best sentence holds
such a thing is more likely to answer than one that only shares the topic. Cheap regexes,
no model; used as a small bonus in ranking.
"""

from __future__ import annotations

import re

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_PATTERNS: dict[str, re.Pattern[str]] = {
    # two or more capitalised words in a row, not at the very start of the sentence
    "person": re.compile(
        r"(?<!^)(?<![.!?]\s)\b(?:Mr|Ms|Mrs|Dr|President|Minister)?\.?\s?[A-Z][a-z]+(?:[- ][A-Z][a-z]+)+\b"
    ),
    "date": re.compile(rf"\b(?:{_MONTHS}|{_DAYS})\b|\b(?:1[89]|20)\d\d\b|\b\d{{1,2}}[-–]\d{{1,2}} (?:{_MONTHS})\b"),
    "day": re.compile(rf"\b(?:{_DAYS})\b"),
    "number": re.compile(
        r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?)\b", re.I
    ),
}
_QUESTION_TYPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:what|which) day of the week\b", re.I), "day"),
    (re.compile(r"^\s*(?:who|whom)\b|\bwho (?:is|was|were|are|from|laid|launched|leads|led|signed)\b", re.I), "person"),
    (
        re.compile(
            r"^\s*(?:when|since when)\b|\b(?:what|which|on what) (?:date|year|month|day)\b"
            r"|\b(?:what|which)(?:'s|’s|\s+(?:is|was|were|are))\s+the (?:date|year|month|day)\b",
            re.I,
        ),
        "date",
    ),
    (re.compile(r"^\s*how (?:many|much)\b", re.I), "number"),
)


def question_type(question: str) -> str | None:
    """'person', 'date', 'day', 'number' or None when the question word says nothing."""
    for pattern, kind in _QUESTION_TYPES:
        if pattern.search(question):
            return kind
    return None


def has_type(sentence: str, kind: str | None) -> bool:
    """Whether the sentence contains something of the expected answer type."""
    return kind is not None and bool(_PATTERNS[kind].search(sentence))
