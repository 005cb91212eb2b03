"""Neutral types that cross the core/adapter boundary.

Adapters build a `Question`, hand it to the core and render the `Answer` they get back;
none of these types knows anything about a chat platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """Who asked for something: used for rate limits, admin checks and the audit log."""

    platform: str = "cli"
    user_id: str = ""
    display_name: str = ""

    def label(self) -> str:
        who = self.display_name or self.user_id or "unknown"
        return f"{self.platform}:{who}"


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation: what was asked and the bot's reply text
    ("" when unknown), so a follow-up ("and when?") can take its subject from it."""

    question: str
    answer: str = ""


@dataclass(frozen=True)
class Question:
    """A question as a user typed it, with who asked and where."""

    text: str
    actor: Actor = field(default_factory=Actor)
    top_k: int | None = None
    context: tuple[Turn, ...] = ()  # the conversation's earlier turns, oldest first


@dataclass(frozen=True)
class Document:
    """A source document after loading and cleaning, before chunking."""

    doc_id: str
    path: str
    title: str
    publisher: str
    date: str
    kind: str
    origin: str
    text: str
    content_hash: str


@dataclass(frozen=True)
class Passage:
    """A short window of sentences from one document, the unit that is embedded and cited."""

    passage_id: str
    doc_id: str
    position: int
    text: str
    title: str
    publisher: str
    date: str
    source: str


@dataclass(frozen=True)
class ScoredPassage:
    """A passage returned for a question, with its fused score and best-answering sentence."""

    passage: Passage
    score: float
    best_sentence: str


@dataclass(frozen=True)
class Answer:
    """What the core returns for a question; each adapter renders it its own way."""

    question: str
    answered: bool
    passages: tuple[ScoredPassage, ...]
    index_version: str
    message: str = ""
    suggestions: tuple[str, ...] = ()
    searched: bool = True  # False for small talk and "principle 12": a reply, not a search result
    read_as: str = ""  # the question as corrected for spelling ("cyber hygiene"), when it was
    lead: str = ""  # the one-line answer: a sentence (or clause) of a document, "" when declined
    lead_span: str = ""  # the part of `lead` that answers (a number with its noun, a date, a name)
    lead_passage_id: str = ""  # the passage `lead` comes from ("" when it is a principle's wording)
    lead_citation: str = ""  # "title — publisher, date" when the lead is not from a listed passage
    lead_gap: str = ""  # the answer type asked for that no candidate held ("number", "date", ...)
    tentative: bool = False  # borderline evidence: "the closest the documents come is ..."
    suggestion_kind: str = ""  # which suggestions apply ("topics", "principles"); renderers word them
    language: str = "en"  # the question's language ("en", "fr"): the bot's own words in the reply follow it
    understood_as: str = ""  # how a follow-up was read with its conversation ("" when context unused)

    @property
    def outcome(self) -> str:
        """answered / declined on the documents' evidence, or replied (not searched)."""
        if not self.searched:
            return "replied"
        return "answered" if self.answered else "declined"


@dataclass(frozen=True)
class Principle:
    """One of the Call's nine principles, as listed in knowledge/principles.yaml."""

    number: int
    title: str
    text: str
    source_title: str
    source_publisher: str
    source_date: str


@dataclass(frozen=True)
class SourceInfo:
    """A document in the serving index, for `/sources` and `callbot sources`."""

    doc_id: str
    title: str
    publisher: str
    date: str
    source: str
    passages: int
