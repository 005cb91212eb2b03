"""Follow-up questions: reading "and when?" or "and the next one?" with its conversation.

People ask a chat bot the way they talk: "who launched the paris call?" then "ok and when
was that?". A question that names its own subject (content words the documents use, a
principle by number) stands alone and ignores the conversation entirely, so context can
never hurt it. An elliptical or anaphoric one (pronouns, "what about X", "and X?", a bare
"when?") is searched together with the conversation's last self-contained question, the
anchor: one encode of the combined text instead of the question alone, no extra model call.
Names from the bot's previous answer join the search when the follow-up points at a person
("whats his job?"), and that answer's document gets a mild prior. "The next one", "the one
before 8" and "the first one" after a question about a principle become that principle.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.retrieval.hybrid import HybridRetriever, Ranked
from bot.retrieval.lexical import STOPWORDS
from bot.retrieval.principle_refs import principle_refs
from bot.retrieval.small_talk import small_talk_reply
from bot.types import Principle, Turn

DOC_PRIOR = 0.05  # added to the fused score of passages from the previous answer's document
MAX_NAMES = 3
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_PERSONAL = frozenset(["he", "him", "his", "she", "her", "hers", "they", "them", "their"])
_ANAPHORA = _PERSONAL | frozenset(["it", "its", "there", "then", "else", "again", "one", "ones", "those", "these"])
_DEMONSTRATIVE = re.compile(
    r"(?:^|\b(?:was|is|were|are|did|do|does|about|of|with|made|make|say|said|mean|means|for|after|before|"
    r"in|on|at|by|to|from|why|when|where|how)\s+)(?:that|this)\b|\b(?:that|this)\W*$",
    re.I,
)
_EXISTENTIAL = re.compile(r"\b(?:is|are|was|were)\s+there\b", re.I)
_OPENER = re.compile(
    r"^\W*(?:(?:ok|okay|so|hmm|right|thanks|cool)\W+)*(?:and|also|what about|how about|what of|same (?:for|with))\b\W*",
    re.I,
)
_FILLER = re.compile(r"^\W*(?:(?:ok|okay|so|hmm|right|thanks|cool|and|also)\W+)+", re.I)
# Words that ask, not name: a question made only of these has no subject of its own.
_ASKING_WORDS = """how many much did do does done is are was were be been being has have had can could would should
    will shall may might about what whats what's who whos who's when where why which whom whose ok okay so
    and also too again then else one ones next previous before after following preceding prior last first
    again say said says tell me more exactly more info details happen happened mean means that this
    those these it its he him his she her they them their there here please still really same one even come came out get got goes went take took"""
_ASKING = STOPWORDS | frozenset(_ASKING_WORDS.split())
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_NEXT = re.compile(r"\b(?:next|following|after)\b", re.I)
_PREVIOUS = re.compile(r"\b(?:previous|preceding|before|prior)\b", re.I)
_RELATIVE_TO = re.compile(
    r"\b(before|after)\s+(?:principle\s+|number\s+|#)?(\d{1,2}|" + "|".join(_NUMBERS) + r")\b", re.I
)
_ORDINAL = re.compile(r"\b(" + "|".join(_ORDINALS) + r"|last)\b", re.I)
_WH_FRAME = re.compile(r"^\W*(how many|how much|when|where|who)\b", re.I)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[- ](?:[A-Z][a-z]+|[A-Z]\.))+\b")


@dataclass(frozen=True)
class Reading:
    """How one question is read in its conversation."""

    question: str  # what the answer type and the one-line answer read ("how many companies")
    search: str = ""  # the text searched, when it is not `question` alone
    principle: int = 0  # a principle the question points at ("and the next one?")
    understood_as: str = ""  # "" when the context was not used
    prior_doc: str = ""  # the previous answer's document, favoured a little

    @property
    def uses_context(self) -> bool:
        return bool(self.understood_as)


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def subject_words(text: str, retriever: HybridRetriever) -> list[str]:
    """The words that name what a question is about: not question words, not words every
    document shares ("paris", "call"); known to the documents or not ("weather"). A name
    (an acronym, a capitalised word after the first) counts twice: "is the US in it?"
    names its subject more firmly than "where is it held?"."""
    found = [(n, w, w.casefold()) for n, w in enumerate(_WORD.findall(text))]
    subject: list[str] = []
    for n, word, low in found:
        acronym = word.isupper() and len(word) > 1
        if low in retriever.ubiquitous or not (acronym or (len(low) > 2 and low not in _ASKING)):
            continue
        named = acronym or (n > 0 and word[0].isupper() and low not in _ASKING)
        subject += [low, f"{low}#name"] if named else [low]
    return subject


def is_followup(text: str, retriever: HybridRetriever) -> bool:
    """Elliptical or anaphoric: "what about china?", "who made that comparison?", "when?".

    A pronoun alone does not make a follow-up: "how many states supported the Call at its
    launch?" names its subject. It does when the question names at most one thing itself
    ("where is it held?"), or two with a personal or demonstrative pronoun ("which
    organisation does he work for?", "why was that date chosen?")."""
    if _OPENER.search(text):
        return True
    if principle_refs(text).numbers:
        return False
    subject = subject_words(text, retriever)
    tokens = set(words(_EXISTENTIAL.sub(" ", text)))
    pointing = bool(tokens & _PERSONAL) or bool(_DEMONSTRATIVE.search(text))
    if not (tokens & _ANAPHORA or pointing):  # "when?"; but "what is the paris call" names the Call
        return not subject and not (tokens & retriever.ubiquitous)
    return len(set(subject)) <= (2 if pointing else 1)


def resolve(text: str, context: Sequence[Turn], retriever: HybridRetriever, principles: Sequence[Principle]) -> Reading:
    """Read `text` in its conversation (`context`, oldest first)."""
    if not context or small_talk_reply(text) or not is_followup(text, retriever):
        return Reading(text)
    state = _conversation(context, retriever, principles)[-1]
    number = _principle_pointer(text, state.principle, len(principles))
    if number:
        return Reading(f"what is principle {number}?", principle=number, understood_as=f"principle {number}")
    anchor = state.anchor
    if not anchor.question:
        return Reading(text)
    reading = _framed(text, anchor.question)
    names = _names(anchor, context[-1]) if set(words(text)) & _PERSONAL else []
    search = " ".join([reading, state.subject, *names])
    tail = _FILLER.sub("", text).strip() or text
    return Reading(
        reading,
        search=search,
        understood_as=f"{tail} — after “{anchor.question.strip()}”",
        prior_doc=_document_of(context[-1].answer or anchor.answer, retriever),
    )


@dataclass(frozen=True)
class _State:
    """The conversation after one turn: its anchor (the last self-contained turn), the text
    its subject is searched with, and the principle it was last about (0: none)."""

    anchor: Turn
    subject: str
    principle: int


def _conversation(context: Sequence[Turn], retriever: HybridRetriever, principles: Sequence[Principle]) -> list[_State]:
    """The state after each earlier turn. An anchor that uses a pronoun itself ("when is its
    annual gathering") is searched with the anchor before it."""
    states: list[_State] = []
    state = _State(Turn(""), "", 0)
    for turn in context:
        followup = is_followup(turn.question, retriever)
        pointer = _principle_pointer(turn.question, state.principle, len(principles)) if followup else 0
        principle = pointer or _principle_of(turn, principles) or (state.principle if followup else 0)
        if followup:
            state = _State(state.anchor, state.subject, principle)
        else:
            pronoun = set(words(_EXISTENTIAL.sub(" ", turn.question))) & _ANAPHORA
            subject = f"{turn.question} {state.anchor.question}".strip() if pronoun else turn.question
            state = _State(turn, subject, principle)
        states.append(state)
    return states


def _principle_of(turn: Turn, principles: Sequence[Principle]) -> int:
    """The principle a self-contained turn was about: by number, else by wording."""
    numbers = principle_refs(turn.question).numbers
    if len(numbers) == 1 and 1 <= numbers[0] <= len(principles):
        return numbers[0]
    if "principle" not in turn.question.casefold():
        return 0
    asked = {w for w in words(f"{turn.question} {turn.answer}") if w not in _ASKING and len(w) > 3} - {"principle"}
    best, best_overlap = 0, 0
    for principle in principles:
        overlap = len(asked & set(words(f"{principle.title} {principle.text}")))
        if overlap > best_overlap:
            best, best_overlap = principle.number, overlap
    return best if best_overlap >= 2 else 0


def _principle_pointer(text: str, last: int, count: int) -> int:
    """ "and the next one?" after principle 8 is 9; "the one before 8" is 7; "the first one"
    is 1 (only while the conversation is about principles)."""
    relative = _RELATIVE_TO.search(text)
    if relative:
        base = relative.group(2).casefold()
        base_number = int(base) if base.isdigit() else _NUMBERS.index(base) + 1
        number = base_number + (1 if relative.group(1).casefold() == "after" else -1)
        return number if 1 <= number <= count else 0
    if not last:
        return 0
    if _NEXT.search(text):
        number = last + 1
    elif _PREVIOUS.search(text):
        number = last - 1
    elif ordinal := _ORDINAL.search(text):
        word = ordinal.group(1).casefold()
        number = count if word == "last" else _ORDINALS.index(word) + 1
    else:
        return 0
    return number if 1 <= number <= count else 0


def _framed(text: str, anchor: str) -> str:
    """ "what about companies?" after "how many states signed?" asks "how many companies":
    the anchor's question word frames a follow-up that has none."""
    opener = _OPENER.search(text)
    frame = _WH_FRAME.search(anchor)
    if not opener or not frame or _WH_FRAME.search(text[opener.end() :]):
        return text
    rest = text[opener.end() :].strip(" ?!.")
    return f"{frame.group(1).casefold()} {rest}?" if rest else text


def _names(anchor: Turn, last: Turn) -> list[str]:
    """Names in the bot's last answer (else the anchor's): whom "he" or "they" points at."""
    for turn in (last, anchor):
        found = list(dict.fromkeys(_NAME.findall(turn.answer)))
        if found:
            return found[:MAX_NAMES]
    return []


def _document_of(answer: str, retriever: HybridRetriever) -> str:
    """The document the bot's previous answer came from: the passage that shares most of
    its words (BM25; no encode)."""
    if not answer.strip():
        return ""
    scores = retriever.lexical.scores(retriever.lexical.tokens(answer))
    if not len(scores) or float(scores.max()) <= 0:
        return ""
    return retriever.data.passages[int(scores.argmax())].doc_id


def with_prior(ranked: Ranked, doc_id: str) -> Ranked:
    """Favour the previous answer's document a little (a tie-breaker, not an override)."""
    if not doc_id:
        return ranked
    order = sorted(ranked.passages, key=lambda p: -(p.score + (DOC_PRIOR if p.passage.doc_id == doc_id else 0.0)))
    return replace(ranked, passages=tuple(order))
