"""Knowledge gaps: the questions the bot could not answer well, grouped by meaning.

Admins read this to decide which documents to add next, so near-identical phrasings must
land in one group ("what is the paris call" / "What's the Paris Call?") and the most
frequent need must come first. Greedy leader clustering on normalised embeddings is
enough for the few thousand questions a feedback database holds, and needs no extra
dependency.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.embedding.base import Embedder, normalize_rows

_BATCH = 256


@dataclass(frozen=True)
class Gap:
    """One group of similar questions; `question` is its most frequent phrasing."""

    question: str
    count: int
    variants: tuple[str, ...]
    declined: int
    not_helpful: int


@dataclass(frozen=True)
class GapRow:
    """One served answer that went badly: declined, or voted not helpful."""

    question: str
    declined: bool
    not_helpful: bool


def _key(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip("?!. ")


def _embed(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    parts = [embedder.embed_batch(list(texts[i : i + _BATCH])) for i in range(0, len(texts), _BATCH)]
    return normalize_rows(np.concatenate(parts)) if parts else np.zeros((0, 1), dtype=np.float32)


def group_gaps(
    rows: Iterable[GapRow],
    embedder: Embedder,
    *,
    limit: int = 20,
    threshold: float = 0.75,
    max_variants: int = 5,
) -> list[Gap]:
    """Group rows whose questions have cosine similarity >= threshold to a group's leader.

    Questions are visited most frequent first, so each group's leader (and representative)
    is its most asked phrasing; groups are returned most frequent first, at most `limit`.
    """
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be in (0, 1]")
    spellings: dict[str, Counter[str]] = {}
    declined: Counter[str] = Counter()
    unhelpful: Counter[str] = Counter()
    for row in rows:
        text = " ".join(row.question.split())
        key = _key(text)
        if not key:
            continue
        spellings.setdefault(key, Counter())[text] += 1
        declined[key] += row.declined
        unhelpful[key] += row.not_helpful
    if not spellings or limit <= 0:
        return []
    keys = sorted(spellings, key=lambda k: (-sum(spellings[k].values()), k))
    shown = [spellings[k].most_common(1)[0][0] for k in keys]
    vectors = _embed(embedder, shown)
    leaders: list[int] = []
    members: dict[int, list[int]] = {}
    for i, vector in enumerate(vectors):
        if leaders:
            sims = vectors[leaders] @ vector
            best = int(np.argmax(sims))
            if sims[best] >= threshold:
                members[leaders[best]].append(i)
                continue
        leaders.append(i)
        members[i] = [i]
    gaps = []
    for lead in leaders:
        group = members[lead]
        gaps.append(
            Gap(
                question=shown[lead],
                count=sum(sum(spellings[keys[i]].values()) for i in group),
                variants=tuple(shown[i] for i in group[1 : 1 + max_variants]),
                declined=sum(declined[keys[i]] for i in group),
                not_helpful=sum(unhelpful[keys[i]] for i in group),
            )
        )
    gaps.sort(key=lambda g: -g.count)  # stable: ties keep the order of first appearance
    return gaps[:limit]
