"""The reference backend: sentence-transformers on torch, loaded lazily on first use."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from bot.embedding.base import normalize_rows
from bot.embedding.model_path import model_label, resolve_model
from bot.errors import ConfigError


class TorchEmbedder:
    """SentenceTransformer wrapper; importing this module loads nothing."""

    def __init__(self, model: str = "default", batch_size: int = 32) -> None:
        self._model_ref = model
        self._batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return f"{model_label(self._model_ref)}@torch"

    @property
    def dimension(self) -> int:
        return int(self._load().get_embedding_dimension())

    def _load(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = load_sentence_transformer(self._model_ref)
        return self._model

    @property
    def sentence_transformer(self):
        """The underlying model, for the ONNX exporter."""
        return self._load()

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._load().encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return normalize_rows(vectors)


def load_sentence_transformer(model: str):
    """Load a SentenceTransformer offline, with a clear error instead of a hub traceback."""
    resolved = resolve_model(model)
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(resolved, device="cpu")
    except Exception as err:  # the library raises many types (OSError, HF errors, ValueError)
        raise ConfigError(
            f"could not load embedding model '{model}' ({err.__class__.__name__}); "
            "give a local model path in embedding.model (nothing is downloaded)."
        ) from None
