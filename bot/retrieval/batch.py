"""Rank a batch of questions: one embedding call, then the focus recheck where needed.

An answered question whose dense evidence is borderline (`retrieval.focus_band`) is checked
again without the words every document shares: "What's the weather in Paris tomorrow?"
matches "Paris" everywhere, "weather tomorrow" matches nothing, so it is declined. The
focused forms go in a second, small batch; clear cases and declined ones skip that cost.

The earlier rule, averaging the two coverages, declined the same off-topic questions but
more on-topic ones. The focused form is not embedded speculatively beside a lone question:
on a small machine two parallel runs cost nearly twice one, for a recheck most questions
never need. The figures are in docs/performance.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.config import RetrievalConfig
from bot.embedding.base import Embedder
from bot.retrieval.decision import is_supported
from bot.retrieval.hybrid import Extra, HybridRetriever, Ranked


def rank_batch(
    retriever: HybridRetriever,
    embedder: Embedder,
    items: Sequence[tuple[str, int]],
    cfg: RetrievalConfig,
    searches: Sequence[str] | None = None,
    extras: Sequence[Extra | None] | None = None,
) -> list[Ranked]:
    """`items` are (cleaned question, top_k); `searches`, when given, the text searched for
    each (see `HybridRetriever.rank`). One Ranked per item, in order.

    Misspelled words are corrected first (`bot.retrieval.spelling`): the corrected text is
    what is embedded and what BM25, the answer type and the unknown-name rules read.

    `extras` (another model's cosines, for questions not in English) are blended into the
    dense signal; those questions are English readings of another language, so they are
    neither spell-corrected nor rechecked without the shared words."""
    speller = retriever.speller
    blends = list(extras) if extras is not None else [None] * len(items)
    questions = [text if blend else speller.correct(text) for (text, _), blend in zip(items, blends)]
    if searches is None:
        texts = list(questions)
    else:
        texts = [search if blend else speller.correct(search) for search, blend in zip(searches, blends)]
    vectors = embedder.embed_batch(texts)
    ranked = [
        retriever.rank(question, qvec, top_k, search if search != question else None, blend)
        for question, (_, top_k), search, qvec, blend in zip(questions, items, texts, vectors, blends)
    ]
    ranked = [
        replace(r, read_as=question) if question != text else r
        for r, question, (text, _) in zip(ranked, questions, items)
    ]
    recheck = [
        (n, focus)
        for n, (search, r) in enumerate(zip(texts, ranked))
        if blends[n] is None
        and cfg.focus_band[0] <= r.top_dense < cfg.focus_band[1]
        and is_supported(r, cfg)
        and (focus := retriever.focus_text(search))
    ]
    if recheck:
        focus_vectors = embedder.embed_batch([focus for _, focus in recheck])
        for (n, _), fvec in zip(recheck, focus_vectors):
            ranked[n] = retriever.with_focus(ranked[n], fvec)
    return ranked
