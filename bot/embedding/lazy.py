"""An embedder that knows its model id at once but loads (or exports) the model on first use.

`callbot index status`, staleness checks and start-up decisions need only the id; the
model itself is loaded when the first text is embedded.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.config import EmbeddingConfig
from bot.embedding.base import Embedder


class LazyEmbedder:
    """Wraps `make_embedder(cfg)`; thread-safe, creates the real embedder once."""

    def __init__(self, cfg: EmbeddingConfig, cache_root: Path) -> None:
        from bot.embedding.factory import embedder_model_id

        self._cfg = cfg
        self._cache_root = cache_root
        self._model_id = embedder_model_id(cfg)
        self._real: Embedder | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def real(self) -> Embedder:
        if self._real is None:
            with self._lock:
                if self._real is None:
                    from bot.embedding.factory import make_embedder

                    self._real = make_embedder(self._cfg, self._cache_root)
        return self._real

    @property
    def loaded(self) -> bool:
        return self._real is not None

    @property
    def dimension(self) -> int:
        return self.real.dimension

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return self.real.embed_batch(texts)
