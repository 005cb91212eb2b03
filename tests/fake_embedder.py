"""A fast, deterministic embedder for unit tests: hashed bag of word stems.

Not a language model: texts that share words are similar, others are not. That is enough
to exercise indexing, fusion, declining and the adapters without loading torch.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "did",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "the",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "about",
        "this",
        "that",
    ]
)


class FakeEmbedder:
    """Implements the Embedder protocol; counts how many texts it embedded."""

    def __init__(self, dimension: int = 256, model_id: str = "fake-bow@test") -> None:
        self._dimension = dimension
        self._model_id = model_id
        self.embedded_texts = 0
        self.calls = 0

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        return self._dimension

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self._dimension, dtype=np.float32)
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            if word in _STOP or len(word) < 2:
                continue
            stem = word[:6]
            slot = int(hashlib.md5(stem.encode()).hexdigest()[:8], 16) % self._dimension
            vec[slot] += 1.0
        norm = np.linalg.norm(vec)
        return vec / norm if norm else vec

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.embedded_texts += len(texts)
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts]).astype(np.float32)
