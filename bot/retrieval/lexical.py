"""BM25 over passages with bm25s (English stop words, Snowball stemming)."""

from __future__ import annotations

from typing import Sequence

import numpy as np


class LexicalIndex:
    """Built in memory when a version loads (fast: ~10k passages per second)."""

    def __init__(self, texts: Sequence[str]) -> None:
        import bm25s
        import Stemmer

        self._bm25s = bm25s
        self._stemmer = Stemmer.Stemmer("english")
        self._size = len(texts)
        self._retriever = bm25s.BM25()
        if texts:
            tokens = bm25s.tokenize(list(texts), stopwords="en", stemmer=self._stemmer, show_progress=False)
            self._retriever.index(tokens, show_progress=False)

    def query_tokens(self, query: str) -> list[str]:
        tokens = self._bm25s.tokenize(
            [query], stopwords="en", stemmer=self._stemmer, return_ids=False, show_progress=False
        )
        return list(tokens[0]) if tokens else []

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage (zeros when the query has no known term)."""
        if not self._size:
            return np.zeros(0, dtype=np.float32)
        tokens = self.query_tokens(query)
        if not tokens:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)
