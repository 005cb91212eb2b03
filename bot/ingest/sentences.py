"""Sentence splitting without nltk/spacy: regex candidates plus abbreviation checks.

The chunker builds windows of sentences and the core picks the best-answering sentence, so
a split inside "Mr. Macron" or "U.S. companies" would cut a fact in half. Line structure
matters too: each bullet item and each heading (a line without final punctuation) is a unit
of its own, even when an item ends with ';'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

UnitKind = Literal["sentence", "bullet", "heading"]

_BULLET = re.compile(r"^(?:[-•·◦▪●‣⁃∙*–])\s+")
_NUMBERED = re.compile(r"^(?:\d{1,3}[.)]|\(\d{1,3}\)|\(?[a-z]\))\s+")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_FINAL = re.compile(r"[.!?…:;,][\"”’'»)\]]*$")
_CANDIDATE = re.compile(r"[.!?…]+[\"”’'»)\]]*\s+")
_OPENERS = "\"“‘'«([-"
_HEADING_MAX_CHARS = 200

# Lowercased, without the final dot. Kept small: only words that are far more often an
# abbreviation than the last word of a sentence.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "mx",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "messrs",
        "mme",
        "mlle",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "gov",
        "sen",
        "rep",
        "rev",
        "hon",
        "pres",
        "amb",
        "vs",
        "approx",
        "cf",
        "esp",
        "inc",
        "ltd",
        "corp",
        "co",
        "bros",
        "dept",
        "univ",
        "assn",
        "ave",
        "blvd",
        "rd",
        "fig",
        "figs",
        "vol",
        "vols",
        "ch",
        "sec",
        "secs",
        "art",
        "arts",
        "para",
        "paras",
        "pp",
        "ed",
        "eds",
        "est",
    ]
)
# Abbreviations that only stay glued when a number follows: "No. 5", "Nov. 12", "p. 3".
_BEFORE_NUMBER = frozenset(
    [
        "no",
        "nos",
        "nr",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "p",
        "op",
        "tel",
        "ext",
    ]
)


@dataclass(frozen=True)
class Unit:
    """A sentence, bullet item or heading; `new_line` says it starts a line of the text."""

    text: str
    kind: UnitKind
    new_line: bool
    prefix: str = ""  # the list marker removed from a bullet item: "- ", "1. ", "(a) "


def _is_abbreviation(token: str, after: str) -> bool:
    """Whether the '.' ending `token` (the last word before it) marks an abbreviation
    rather than the end of a sentence; `after` is the start of what follows."""
    token = token.lstrip(_OPENERS)
    if not token.endswith("."):
        return False
    core = token[:-1]
    lower = core.lower()
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", core):  # U.S. / e.g. / i.e. / p.m.
        return True
    if re.fullmatch(r"[A-Za-z]", core):  # an initial: "J. Smith"
        return True
    if lower in _ABBREVIATIONS:
        return True
    return lower in _BEFORE_NUMBER and after[:1].isdigit()


def _last_word(line: str, end: int) -> str:
    """The word of `line` ending at `end`: read back to the space, not from the start."""
    start = end
    while start > 0 and not line[start - 1].isspace():
        start -= 1
    return line[start:end]


def _split_line(line: str) -> list[str]:
    """Sentences of one line: split after . ! ? … when the next word starts a sentence.

    Linear in the line: each candidate looks at the word before it and the characters
    after it, never at a copy of the rest of the line.
    """
    parts: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(line):
        at = match.end()
        while at < len(line) and line[at] in _OPENERS:
            at += 1
        head = line[at : at + 1]
        if not head or not (head.isupper() or head.isdigit()):
            continue
        punct = match.group().rstrip()
        if punct.rstrip("\"”’'»)]") == "." and _is_abbreviation(_last_word(line, match.start() + 1), line[at : at + 2]):
            continue
        piece = line[start : match.end()].strip()
        if piece:
            parts.append(piece)
        start = match.end()
    tail = line[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def split_units(text: str) -> list[Unit]:
    """Sentences, bullet items and headings of `text`, in order, with line-start flags."""
    units: list[Unit] = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        prefix = ""
        kind: UnitKind = "sentence"
        if _MD_HEADING.match(line):
            line = _MD_HEADING.sub("", line)
            kind = "heading"
        elif _BULLET.match(line):
            line, prefix, kind = _BULLET.sub("", line, count=1), "- ", "bullet"
        elif numbered := _NUMBERED.match(line):
            prefix, kind = numbered.group().strip() + " ", "bullet"
            line = line[numbered.end() :]
        if not line:
            continue
        pieces = _split_line(line)
        if kind == "sentence" and len(pieces) == 1 and _looks_like_heading(line):
            kind = "heading"
        for i, piece in enumerate(pieces):
            piece_kind: UnitKind = kind if i == 0 else "sentence"
            units.append(Unit(piece, piece_kind, new_line=i == 0, prefix=prefix if i == 0 else ""))
    return units


def _looks_like_heading(line: str) -> bool:
    return not _FINAL.search(line) and len(line) <= _HEADING_MAX_CHARS


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`; bullet items and headings are sentences of their own."""
    return [unit.text for unit in split_units(text)]
