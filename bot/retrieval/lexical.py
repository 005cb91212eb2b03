"""BM25 over passages with bm25s, with our own light tokenizer (Snowball stemming).

The tokenizer is a regex, a stop list and PyStemmer: it runs once per question (its
result feeds both the BM25 scores and the rare-term coverage), so it must stay cheap.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence

import numpy as np

# bm25s's English list plus question words and auxiliaries, which carry no evidence that a
# passage answers a question.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "do",
        "does",
        "did",
        "done",
        "can",
        "could",
        "would",
        "should",
        "shall",
        "may",
        "might",
        "must",
        "have",
        "has",
        "had",
        "having",
        "been",
        "being",
        "were",
        "am",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "him",
        "his",
        "she",
        "her",
        "its",
        "them",
        "than",
        "so",
        "about",
        "any",
        "anything",
        "some",
        "something",
        "tell",
        "say",
        "says",
        "please",
        "also",
        "just",
        "like",
        "get",
        "got",
    ]
)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


class LexicalIndex:
    """Built in memory when a version loads (fast enough not to be stored with it)."""

    def __init__(self, texts: Sequence[str]) -> None:
        import bm25s
        import Stemmer

        # bm25s sets its own logger to DEBUG when imported; keep it at our level.
        logging.getLogger("bm25s").setLevel(max(logging.WARNING, logging.getLogger().level))
        self._stemmer = Stemmer.Stemmer("english")
        self._size = len(texts)
        self._retriever = bm25s.BM25()
        self._terms: list[frozenset[str]] = []
        self._idf: dict[str, float] = {}
        if texts:
            corpus = [self.tokens(t) for t in texts]
            self._retriever.index(corpus, show_progress=False)
            self._terms = [frozenset(tokens) for tokens in corpus]
            df: dict[str, int] = {}
            for terms in self._terms:
                for term in terms:
                    df[term] = df.get(term, 0) + 1
            self._idf = {t: math.log(1 + self._size / n) for t, n in df.items()}
            self._vocab = frozenset(df)

    def tokens(self, text: str) -> list[str]:
        words = [w for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS]
        return self._stemmer.stemWords(words)

    def knows(self, text: str) -> bool:
        """Whether every term of `text` occurs in some passage (no terms: nothing to check)."""
        return all(t in self._idf for t in self.tokens(text))

    def coverage(self, tokens: Sequence[str], rows: Sequence[int]) -> float:
        """The best share of the query's weight (IDF; unknown terms weigh most) that one of
        `rows` contains: "Brad Smith" found verbatim is strong evidence, "Paris" is not."""
        unique = set(tokens)
        if not unique or not self._size:
            return 0.0
        unseen = math.log(1 + self._size)
        weights = {t: self._idf.get(t, unseen) for t in unique}
        total = sum(weights.values())
        best = max((sum(w for t, w in weights.items() if t in self._terms[r]) for r in rows), default=0.0)
        return best / total

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage (zeros when the query has no known term)."""
        known = [t for t in tokens if t in self._idf]
        if not self._size or not known:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)
