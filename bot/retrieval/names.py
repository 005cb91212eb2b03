"""Proper names a question uses that no document does: "the Budapest Convention", "the Tallinn
Manual", "the Christchurch Call".

A dense model places such a question close to the Call's own passages (both are "cyber
treaty" talk), so evidence scores cannot tell it from an on-topic paraphrase. Whether the
documents ever use the name can: a question about something the documents never name is a
question they do not answer. Like the unknown-year rule, this is read from the knowledge
base itself, so it follows whatever documents are loaded.

Three kinds of names count: multi-word capitalised names (single capitalised words are too
often sentence starts, nationalities or metonyms like "Davos"); camel-case words
("SolarWinds", "NotPetya"), which no English word is but brands and names are;
and acronyms of four or more characters ("GDPR", "NIS2", "ENISA"; shorter ones like "IT",
"NGO" or "WEF" are too common, or too often the users' own short form of a name the
documents spell out). A single word is known when the documents use it in any case, or when
it is the initials of one of their names. A multi-word name is known when the documents contain
it verbatim, when its initials are an acronym the documents use ("United States" for "US"), or
when its head (last) word is a capitalised word of the documents ("South Korea" for "Republic
of Korea"); its words may be connected by "of", "on", "for" and the like.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_CONNECTORS = frozenset({"of", "on", "for", "the", "de", "du", "des", "la", "le", "to"})
_CAP = r"(?:[A-Z][\w'’.&-]*\w|[A-Z])"
_NAME = re.compile(rf"\b{_CAP}(?:(?:\s+(?:{'|'.join(sorted(_CONNECTORS))}))*\s+{_CAP})+")
_POSSESSIVE = re.compile(r"['’]s\b")
# Camel-case words ("SolarWinds", "NotPetya"); "IoT", "DDoS" or "PhD" are jargon, not names.
_INNER_CAPITAL = re.compile(r"(?<![\w'’.-])[A-Z][a-z]+(?:[A-Z][a-z]+)+(?![\w'’-])")
_LONG_ACRONYM = re.compile(r"(?<![\w'’.-])[A-Z][A-Z0-9]{3,}(?=s?(?![\w'’-]))")
_WORD = re.compile(r"[^\W_]+")
# Capitalised words that start questions rather than names ("What's the Russian ...").
_LEADING = frozenset(
    [
        "what",
        "what's",
        "whats",
        "who",
        "who's",
        "which",
        "when",
        "where",
        "why",
        "how",
        "is",
        "are",
        "was",
        "were",
        "does",
        "did",
        "do",
        "can",
        "could",
        "will",
        "would",
        "should",
        "has",
        "have",
        "had",
        "tell",
        "list",
        "according",
        "apart",
        "besides",
        "in",
        "on",
        "at",
        "for",
        "about",
        "compare",
        "explain",
        "describe",
        "give",
        "show",
        "summarize",
        "summarise",
        "name",
        "define",
        "please",
    ]
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+)\W*$")
# "What is ransomware?", "define phishing", "what does doxxing mean": a one-word subject.
_DEFINITION = re.compile(
    r"^\W*(?:(?:what|who)(?:['’]s|\s+is|\s+are|\s+was|\s+were)|define|explain|meaning of|what does)\s+"
    r"(?:an?\s+|the\s+)?([^\W\d_][\w'’-]*)(?:\s+mean)?\s*[?.!]*\s*$",
    re.I,
)


def _normal(text: str) -> str:
    return " ".join(_WORD.findall(text.replace("’", "'").casefold()))


class NameGrounding:
    """What names the knowledge base knows; built once per index version."""

    def __init__(self, texts: Iterable[str]) -> None:
        joined = "\n".join(texts)
        self._text = f" {_normal(joined)} "
        self._capitalised = frozenset(w.casefold() for w in re.findall(r"\b[A-Z][\w-]*", joined))
        self._acronyms = frozenset(re.findall(r"\b[A-Z]{2,}\b", joined))
        self._initials = frozenset(_initials(m.group().split()) for m in _NAME.finditer(joined))
        # Words the documents write in lower case, and question words: a question's first
        # word is capitalised by position, not because it is a name.
        self._ordinary = _LEADING | frozenset(re.findall(r"\b[a-z][a-z'’-]*\b", joined))

    def unknown(self, question: str) -> tuple[str, ...]:
        """The question's names that the documents never use, in order."""
        found: list[str] = []
        text = _POSSESSIVE.sub("", question)
        if _shouted_or_title_case(text):
            return ()  # names cannot be told from the other words
        for match in [*_INNER_CAPITAL.finditer(text), *_LONG_ACRONYM.finditer(text)]:
            word = match.group()
            if f" {_normal(word)} " not in self._text and word not in self._initials and word not in found:
                found.append(word)
        for match in _NAME.finditer(text):
            span = match.group().split()
            if _SENTENCE_START.search(text[: match.start()]) and span[0].casefold() in self._ordinary:
                span = span[1:]  # "Compare the Tallinn Manual ...": capitalised by position only
            name = _as_name(span)
            if name and not self._knows(name) and not set(found) & {name, *name.split()}:
                found.append(name)
        return tuple(found)

    def is_initials(self, word: str) -> bool:
        """Whether `word` is the initials of a name the documents use ("WEF", "wef")."""
        return word.upper() in self._initials

    def _knows(self, name: str) -> bool:
        words = name.split()
        if f" {_normal(name)} " in self._text:
            return True
        if _initials(words) in self._acronyms:
            return True
        head = _head(words)
        return head.casefold() in self._capitalised


def definition_subject(question: str) -> str | None:
    """The word a one-word definition question asks about ("ransomware" in "What is ransomware?").

    If no document uses that word, none can say what it is; the retriever checks the word
    against the BM25 vocabulary (stemmed, so "hack-back" is known from "hacking-back").
    """
    match = _DEFINITION.match(question)
    return match.group(1) if match else None


def _shouted_or_title_case(text: str) -> bool:
    """ "WHAT IS THE PARIS CALL?" or "How Did Microsoft Respond?": every word is capitalised."""
    if not any(c.islower() for c in text):
        return True
    for sentence in re.split(r"[.!?:;]\s+", text):
        words = _WORD.findall(sentence)
        if any(w[0].isupper() and w.casefold() in _LEADING | {"and", "or"} for w in words[1:]):
            return True
    return False


def _as_name(words: list[str]) -> str | None:
    """Drop leading question words; what is left is a name if it has two capitalised words."""
    while words and (words[0].casefold() in _LEADING or words[0].casefold() in _CONNECTORS):
        words = words[1:]
    while words and words[-1].casefold() in _CONNECTORS:
        words = words[:-1]
    capitalised = [w for w in words if w.lower() not in _CONNECTORS]
    return " ".join(words) if len(capitalised) >= 2 else None


def _initials(words: list[str]) -> str:
    """ "World Economic Forum" -> "WEF" (connectors are skipped)."""
    return "".join(w[0] for w in words if w.lower() not in _CONNECTORS).upper()


def _head(words: list[str]) -> str:
    """The head word of an English name: the last word before a connector ("Convention" in
    "Convention on Cybercrime"), else the last word."""
    for n, word in enumerate(words):
        if n and word.lower() in _CONNECTORS:
            return words[n - 1]
    return words[-1]
