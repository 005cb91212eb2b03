"""BM25 over passages with bm25s (English stop words, Snowball stemming)."""

from __future__ import annotations

import logging
import math
from typing import Sequence

import numpy as np


# bm25s's English list (33 words) plus question words and auxiliaries, which carry no
# evidence that a passage answers a question.
STOPWORDS = sorted(set("""
a an and are as at be but by for if in into is it no not of on or such that the their then
there these they this to was will with what which who whom whose when where why how do does
did done can could would should shall may might must have has had having been being were am
i me my we our you your he him his she her its them than so about any anything some something
tell say says please also just like get got
""".split()))


class LexicalIndex:
    """Built in memory when a version loads (fast: ~10k passages per second)."""

    def __init__(self, texts: Sequence[str]) -> None:
        import bm25s
        import Stemmer

        # bm25s sets its own logger to DEBUG when imported; keep it at our level.
        logging.getLogger("bm25s").setLevel(max(logging.WARNING, logging.getLogger().level))

        self._bm25s = bm25s
        self._stemmer = Stemmer.Stemmer("english")
        self._size = len(texts)
        self._retriever = bm25s.BM25()
        self._terms: list[frozenset[str]] = []
        self._idf: dict[str, float] = {}
        if texts:
            tokens = bm25s.tokenize(list(texts), stopwords=STOPWORDS, stemmer=self._stemmer, show_progress=False)
            self._retriever.index(tokens, show_progress=False)
            vocab = {i: w for w, i in tokens.vocab.items()}
            self._terms = [frozenset(vocab[i] for i in ids) for ids in tokens.ids]
            df: dict[str, int] = {}
            for terms in self._terms:
                for term in terms:
                    df[term] = df.get(term, 0) + 1
            self._idf = {t: math.log(1 + self._size / n) for t, n in df.items()}

    def query_tokens(self, query: str) -> list[str]:
        tokens = self._bm25s.tokenize(
            [query], stopwords=STOPWORDS, stemmer=self._stemmer, return_ids=False, show_progress=False
        )
        return list(tokens[0]) if tokens else []

    def coverage(self, query: str, rows: Sequence[int]) -> float:
        """The best share of the query's weight (IDF; unknown terms weigh most) that one of
        `rows` contains: "Brad Smith" found verbatim is strong evidence, "Paris" is not."""
        tokens = set(self.query_tokens(query))
        if not tokens or not self._size:
            return 0.0
        unseen = math.log(1 + self._size)
        weights = {t: self._idf.get(t, unseen) for t in tokens}
        total = sum(weights.values())
        best = max((sum(w for t, w in weights.items() if t in self._terms[r]) for r in rows), default=0.0)
        return best / total

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage (zeros when the query has no known term)."""
        if not self._size:
            return np.zeros(0, dtype=np.float32)
        tokens = self.query_tokens(query)
        if not tokens:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)
