"""Questions that name the Call's principles by number: "What is principle 8?", "the third
principle", "principles 4 and 5".

The press releases quote the principles without numbers, so "principle 8" matches nothing in
them (measured: such questions ranked unrelated passages first). The bot's own principles file
says what principle 8 is, so the question is searched together with that principle's wording:
the passage quoting it comes first and its bullet is the marked sentence. A question about
nothing but "the principles" ("What are the principles of the Paris Call?") is searched with
the nine short titles, which brings up the passages that list them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.retrieval.lexical import STOPWORDS
from bot.types import Principle

_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_ORDINALS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
)
_NUMBER = rf"(?:\d{{1,2}}|{'|'.join(_WORDS)})"
_JOIN = r"\s*(?:,|&|\band\b|\bor\b|-|–|\bto\b|\bthrough\b)\s*"
_NUMBERED = re.compile(rf"\bprinciples?\s*(?:no\.?\s*|number\s*|#\s*)?({_NUMBER}(?:{_JOIN}{_NUMBER})*)\b", re.I)
_ORDINAL = re.compile(rf"\b({'|'.join(_ORDINALS)}|\d{{1,2}}(?:st|nd|rd|th))\s+(?:and\s+\w+\s+)?principles?\b", re.I)
_RANGE = re.compile(rf"({_NUMBER})\s*(?:-|–|\bto\b|\bthrough\b)\s*({_NUMBER})", re.I)
_TOKEN = re.compile(r"[^\W_]+")
# Words that say nothing beyond "the principles": the Call's name, list and count words.
_ABOUT_ALL = STOPWORDS | frozenset(
    [
        "principles",
        "principle",
        "paris",
        "call",
        "call's",
        "calls",
        "trust",
        "security",
        "cyberspace",
        "list",
        "nine",
        "9",
        "main",
        "key",
        "core",
        "all",
        "its",
        "are",
        "there",
        "many",
        "outline",
        "summarize",
        "summarise",
        "summary",
        "name",
        "names",
        "show",
        "give",
        "explain",
        "enumerate",
    ]
)


@dataclass(frozen=True)
class PrincipleRefs:
    """What a question refers to: numbered principles, or the principles as a whole."""

    numbers: tuple[int, ...] = ()
    everything: bool = False


_NONE = PrincipleRefs()


def _value(token: str) -> int:
    token = token.casefold()
    if token.isdigit():
        return int(token)
    if token in _WORDS:
        return _WORDS.index(token) + 1
    digits = re.match(r"\d+", token)
    return int(digits.group()) if digits else _ORDINALS.index(token) + 1


def principle_refs(question: str) -> PrincipleRefs:
    """The principles a question names, in order of mention, without repeats."""
    if "principle" not in question.casefold():
        return _NONE  # most questions: no regex work at all
    numbers: list[int] = []
    for match in _NUMBERED.finditer(question):
        group = match.group(1)
        for low, high in _RANGE.findall(group):
            first, last = _value(low), _value(high)
            numbers.extend(range(first, last + 1) if 0 <= last - first <= len(_WORDS) else (first, last))
        numbers.extend(_value(t) for t in re.findall(_NUMBER, _RANGE.sub(" ", group), re.I))
    for match in _ORDINAL.finditer(question):
        numbers.extend(
            _value(t) for t in re.findall(rf"{'|'.join(_ORDINALS)}|\d{{1,2}}(?:st|nd|rd|th)", match.group(0), re.I)
        )
    if numbers:
        return PrincipleRefs(numbers=tuple(dict.fromkeys(numbers)))
    words = [w.casefold() for w in _TOKEN.findall(question)]
    if "principles" in words and all(w in _ABOUT_ALL for w in words):
        return PrincipleRefs(everything=True)
    return PrincipleRefs()


def out_of_range(refs: PrincipleRefs, count: int) -> str | None:
    """A polite refusal when the question names a principle that does not exist."""
    missing = [n for n in refs.numbers if not 1 <= n <= count]
    if not missing or not count:
        return None
    return f"The Call has {count} principles, numbered 1 to {count}; there is no principle {missing[0]}."


_LAST = re.compile(r"\b(?:last|final)\s+(?:one\s+)?principle\b|\bprinciple\s+(?:number\s+)?(?:last|final)\b", re.I)


def principle_refs_of(question: str, count: int) -> PrincipleRefs:
    """`principle_refs`, plus "the last principle" once the number of principles is known."""
    refs = principle_refs(question)
    if not refs.numbers and count and "principle" in question.casefold() and _LAST.search(question):
        return PrincipleRefs(numbers=(count,))
    return refs


def search_text(question: str, principles: Sequence[Principle], refs: PrincipleRefs | None = None) -> str:
    """The text searched for `question`: with the wording of the principles it names
    (`refs`, when the caller has parsed them already)."""
    refs = principle_refs(question) if refs is None else refs
    if refs.numbers:
        named = [principles[n - 1].text for n in refs.numbers if 1 <= n <= len(principles)]
        return " ".join([question, *named]) if named else question
    if refs.everything and principles:
        return question + " " + "; ".join(p.title for p in principles)
    return question
