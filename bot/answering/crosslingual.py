"""Questions in another language: the multilingual model's cosines to every passage and
sentence, blended into the ranking of the question's English reading.

The corpus' vectors under the multilingual model are made once per index version (read from
beside the version when a previous run stored them) and kept for the versions in use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.embedding.multilingual import CorpusVectors, UsemEmbedder, corpus_vectors
from bot.ingest.embedded_text import embedding_text
from bot.retrieval.hybrid import Extra, HybridRetriever

_KEEP = 2  # versions whose vectors stay in memory (the serving one and the one before a swap)


class CrossLingual:
    """Makes the `Extra` signal for questions not in English; thread-safe."""

    def __init__(self, embedder: UsemEmbedder, weight: float, stored: Callable[[str], Path | None]) -> None:
        """`stored(version)`: the file for that version's multilingual vectors (None: memory only)."""
        self.embedder = embedder
        self.weight = weight
        self._stored = stored
        self._corpus: dict[str, CorpusVectors] = {}
        self._lock = threading.Lock()

    def corpus(self, retriever: HybridRetriever) -> CorpusVectors:
        data = retriever.data
        found = self._corpus.get(data.version)
        if found is not None:
            return found
        with self._lock:
            found = self._corpus.get(data.version)
            if found is None:
                texts = [embedding_text(p.text) for p in data.passages]
                found = corpus_vectors(self.embedder, texts, data.sentences, self._stored(data.version))
                while len(self._corpus) >= _KEEP:
                    self._corpus.pop(next(iter(self._corpus)))
                self._corpus[data.version] = found
        return found

    def extras(self, retriever: HybridRetriever, questions: Sequence[str]) -> list[Extra]:
        """One `Extra` per question (as typed, in its own language)."""
        if not questions:
            return []
        corpus = self.corpus(retriever)
        vectors = self.embedder.embed_batch(questions)
        return [Extra(corpus.passages @ v, corpus.sentences @ v, self.weight) for v in vectors]


def make_crosslingual(
    model: str, weight: float, version_folder: Callable[[str], Path] | None = None
) -> CrossLingual | None:
    """The configured multilingual signal (`embedding.multilingual_model`), None when "none".
    Its vectors are stored in the version's folder when `version_folder` is given."""
    if model == "none":
        return None

    def stored(version: str) -> Path | None:
        return version_folder(version) / f"multilingual-{model}.npz" if version_folder else None

    return CrossLingual(UsemEmbedder(), weight, stored)
