"""Build the configured embedder; on the ONNX path torch is imported only to export once."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.config import EmbeddingConfig
from bot.embedding.base import Embedder
from bot.embedding.cpu import int8_exact_here
from bot.embedding.model_path import model_label
from bot.embedding.onnx_backend import OnnxEmbedder, onnx_model_id
from bot.errors import ConfigError

log = logging.getLogger(__name__)


def embedder_model_id(cfg: EmbeddingConfig) -> str:
    """The model_id `make_embedder(cfg)` will report, computed without loading anything.

    The index manifest compares it with the id the index was built with, to notice a
    model, backend or precision change that makes stored vectors incomparable.
    """
    if cfg.backend == "torch":
        return f"{model_label(cfg.model)}@torch"
    return onnx_model_id(model_label(cfg.model), use_int8(cfg))


def use_int8(cfg: EmbeddingConfig) -> bool:
    """`embedding.quantize` asks for int8 where it is exact; elsewhere the fp32 export serves."""
    return cfg.backend == "onnx" and cfg.quantize and int8_exact_here()


def make_embedder(cfg: EmbeddingConfig, cache_root: Path, *, allow_export: bool = True) -> Embedder:
    """The embedder for `cfg`; for onnx, reuse the cached export or create it (needs torch).

    `allow_export=False` is for bot processes that must start fast: a missing export is
    then a ConfigError telling the operator to export first, not a silent torch import.
    """
    if cfg.backend == "torch":
        from bot.embedding.torch_backend import TorchEmbedder

        if cfg.quantize:
            log.warning("embedding.quantize only applies to the onnx backend; ignored for torch")
        return TorchEmbedder(cfg.model, batch_size=cfg.batch_size)

    from bot.embedding import onnx_export

    quantize = use_int8(cfg)
    folder = onnx_export.cached_export_path(cfg.model, cache_root, quantize)
    if folder is None:
        if not allow_export:
            raise ConfigError(
                f"no ONNX export of embedding model '{model_label(cfg.model)}' in {cache_root}; "
                "build the index once (it exports the model) or set embedding.backend to 'torch'."
            )
        folder = onnx_export.export_onnx(cfg.model, cache_root, quantize)
    embedder = OnnxEmbedder(folder, batch_size=cfg.batch_size)
    if embedder.model_id != embedder_model_id(cfg):  # a hand-edited or foreign export.json
        raise ConfigError(f"the ONNX export in {folder} is for another model; delete it to re-export.")
    return embedder
