"""Answer quality on a question set: hit@1, hit@3, MRR, the decline rates and lead@1.

A passage is a hit when it contains one of the question's answer substrings
(case-insensitive, quotes and white space normalised). Hits are counted on the passages
the bot returns (listed even when it declines); declining is measured separately. lead@1
reads the one-line answer: it must hold one of the item's `lead` phrases (or, without
them, one of its `answers`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import CallbotError
from bot.types import Answer, Question, Turn

MRR_DEPTH = 10
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})


@dataclass(frozen=True)
class EvalItem:
    qid: str
    question: str
    answers: tuple[str, ...]
    kind: str
    lead: tuple[str, ...] = ()  # phrases the one-line answer must hold (else `answers`)
    context: tuple[str, ...] = ()  # earlier questions of its conversation, oldest first
    doc: str = ""

    @property
    def followup(self) -> bool:
        """A turn of a conversation meant to be read with it (not a standalone check)."""
        return bool(self.context) and self.kind != "standalone"

    @property
    def off_topic(self) -> bool:
        return self.kind == "offtopic" or not self.answers


@dataclass(frozen=True)
class KindScore:
    """hit@1 and hit@3 of the on-topic questions of one kind ("literal", "paraphrase")."""

    kind: str
    count: int
    hit1: float
    hit3: float


@dataclass(frozen=True)
class EvalReport:
    on_topic: int
    off_topic: int
    hit1: float
    hit3: float
    mrr: float
    off_topic_declined: float
    on_topic_declined: float
    misses: tuple[str, ...]
    by_kind: tuple[KindScore, ...] = ()
    lead1: float = 0.0
    on_topic_tentative: float = 0.0
    off_topic_tentative: float = 0.0
    off_topic_confident: float = 0.0
    followups: int = 0  # conversation turns read with their context, scored again below
    followup_hit1: float = 0.0
    followup_hit3: float = 0.0
    followup_lead1: float = 0.0
    followup_declined: float = 0.0

    def lines(self) -> list[str]:
        # The breakdown comes last so that scripts reading the first six lines keep working.
        kinds = [f"  {k.kind} ({k.count}): hit@1 {k.hit1:.3f}, hit@3 {k.hit3:.3f}" for k in self.by_kind]
        return [
            f"questions: {self.on_topic} on-topic, {self.off_topic} off-topic",
            f"hit@1: {self.hit1:.3f}",
            f"hit@3: {self.hit3:.3f}",
            f"MRR@{MRR_DEPTH}: {self.mrr:.3f}",
            f"off-topic declined: {self.off_topic_declined:.3f}",
            f"on-topic declined: {self.on_topic_declined:.3f}",
            *(["by kind:", *kinds] if len(kinds) > 1 else []),
            f"lead@1: {self.lead1:.3f}",
            f"tentative: on-topic {self.on_topic_tentative:.3f}, off-topic {self.off_topic_tentative:.3f}",
            f"off-topic answered confidently: {self.off_topic_confident:.3f}",
            *(
                [
                    f"follow-ups ({self.followups}): hit@1 {self.followup_hit1:.3f}, hit@3 {self.followup_hit3:.3f}, "
                    f"lead@1 {self.followup_lead1:.3f}, declined {self.followup_declined:.3f}"
                ]
                if self.followups
                else []
            ),
        ]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).casefold()


def load_eval(path: Path) -> list[EvalItem]:
    """Read a JSONL question set; a malformed line is a clear error naming the line."""
    items = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CallbotError(f"eval file not found: {path}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            items.append(
                EvalItem(
                    str(row.get("id", number)),
                    str(row["question"]),
                    tuple(row.get("answers", [])),
                    str(row.get("kind", "")),
                    tuple(row.get("lead", [])),
                    tuple(str(turn) for turn in row.get("context", [])),
                    str(row.get("doc") or ""),
                )
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise CallbotError(f"{path}, line {number}: expected a JSON object with a 'question'.") from None
    return items


def rank_of_hit(answer: Answer, answers: tuple[str, ...]) -> int | None:
    """1-based rank of the first passage containing an answer substring."""
    wanted = [_norm(a) for a in answers]
    for rank, scored in enumerate(answer.passages, 1):
        text = _norm(scored.passage.text)
        if any(w in text for w in wanted):
            return rank
    return None


def lead_hit(answer: Answer, item: EvalItem) -> bool:
    """Whether the one-line answer holds an acceptable phrase (never when declined)."""
    if not answer.answered or not answer.lead:
        return False
    text = _norm(answer.lead)
    return any(_norm(phrase) in text for phrase in item.lead or item.answers)


def evaluate(core, items: list[EvalItem], contexts: list[tuple[Turn, ...]] | None = None) -> EvalReport:
    """Ask every question (one batch) and score the answers. A conversation turn is asked
    in its conversation (`contexts`, else its earlier questions with the bot's answers)."""
    if contexts is None:
        contexts = conversation_turns(core, items)
    answers = core.ask_many([Question(i.question, top_k=MRR_DEPTH, context=c) for i, c in zip(items, contexts)])
    on = [(i, a) for i, a in zip(items, answers) if not i.off_topic]
    off = [(i, a) for i, a in zip(items, answers) if i.off_topic]
    ranks = [rank_of_hit(a, i.answers) for i, a in on]
    misses = tuple(f"{i.qid}: {i.question}" for (i, _), r in zip(on, ranks) if r is None or r > 3)
    n_on, n_off = max(1, len(on)), max(1, len(off))
    return EvalReport(
        on_topic=len(on),
        off_topic=len(off),
        hit1=sum(1 for r in ranks if r == 1) / n_on,
        hit3=sum(1 for r in ranks if r is not None and r <= 3) / n_on,
        mrr=sum(1.0 / r for r in ranks if r) / n_on,
        off_topic_declined=sum(1 for _, a in off if not a.answered) / n_off,
        on_topic_declined=sum(1 for _, a in on if not a.answered) / n_on,
        misses=misses,
        by_kind=_by_kind([i.kind for i, _ in on], ranks),
        lead1=sum(lead_hit(a, i) for i, a in on) / n_on,
        on_topic_tentative=sum(a.answered and a.tentative for _, a in on) / n_on,
        off_topic_tentative=sum(a.answered and a.tentative for _, a in off) / n_off,
        off_topic_confident=sum(a.answered and not a.tentative for _, a in off) / n_off,
        **_followup_scores(on),
    )


def _followup_scores(on: list[tuple[EvalItem, Answer]]) -> dict[str, Any]:
    """hit@1, hit@3, lead@1 and declines of the follow-up turns alone."""
    follow = [(i, a) for i, a in on if i.followup]
    if not follow:
        return {}
    ranks = [rank_of_hit(a, i.answers) for i, a in follow]
    n = len(follow)
    return {
        "followups": n,
        "followup_hit1": sum(1 for r in ranks if r == 1) / n,
        "followup_hit3": sum(1 for r in ranks if r is not None and r <= 3) / n,
        "followup_lead1": sum(lead_hit(a, i) for i, a in follow) / n,
        "followup_declined": sum(1 for _, a in follow if not a.answered) / n,
    }


def conversation_turns(core, items: list[EvalItem]) -> list[tuple[Turn, ...]]:
    """Each item's earlier turns with the answers the bot gives them, asked in order (the
    first turns alone, then the second ones in their conversation, ...)."""
    answered: dict[tuple[str, ...], str] = {}
    depth = max((len(i.context) for i in items), default=0)
    for upto in range(depth):
        prefixes = list(dict.fromkeys(i.context[: upto + 1] for i in items if len(i.context) > upto))
        prefixes = [p for p in prefixes if p not in answered]
        questions = [Question(p[-1], top_k=MRR_DEPTH, context=_turns(p[:-1], answered)) for p in prefixes]
        for prefix, answer in zip(prefixes, core.ask_many(questions)):
            answered[prefix] = answer.lead if isinstance(answer, Answer) and answer.answered else ""
    return [_turns(i.context, answered) for i in items]


def _turns(questions: tuple[str, ...], answered: dict[tuple[str, ...], str]) -> tuple[Turn, ...]:
    return tuple(Turn(q, answered.get(questions[: n + 1], "")) for n, q in enumerate(questions))


def _by_kind(kinds: list[str], ranks: list[int | None]) -> tuple[KindScore, ...]:
    """Scores per question kind: paraphrases are where a small model loses, so say so."""
    groups: dict[str, list[int | None]] = {}
    for kind, rank in zip(kinds, ranks):
        groups.setdefault(kind or "unlabelled", []).append(rank)
    return tuple(
        KindScore(
            kind,
            len(rs),
            sum(1 for r in rs if r == 1) / len(rs),
            sum(1 for r in rs if r is not None and r <= 3) / len(rs),
        )
        for kind, rs in sorted(groups.items())
    )


def unrelated_contexts(core, items: list[EvalItem]) -> list[tuple[Turn, ...]]:
    """For each item without a conversation of its own, one earlier turn about something
    else: another item's question (from another document) with the bot's answer to it."""
    lone = [i for i in items if not i.context]
    if len(lone) < 2:
        return conversation_turns(core, items)
    answers = core.ask_many([Question(i.question, top_k=MRR_DEPTH) for i in lone])
    turns: dict[str, Turn] = {}
    half = len(lone) // 2
    for n, item in enumerate(lone):
        for step in range(len(lone) - 1):
            other = (n + half + step) % len(lone)
            if other != n and (lone[other].doc != item.doc or not item.doc):
                break
        answer = answers[other]
        text = answer.lead if isinstance(answer, Answer) and answer.answered else ""
        turns[item.qid] = Turn(lone[other].question, text)
    own = conversation_turns(core, items)
    return [(turns[i.qid],) if not i.context else c for i, c in zip(items, own)]
