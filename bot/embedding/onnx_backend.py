"""The fast backend: onnxruntime + Rust tokenizers, no torch, so a bot cold-starts quickly.

It mirrors sentence-transformers' Transformer -> Pooling -> Normalize pipeline from the
settings the exporter wrote to export.json. Its vectors match the torch backend to
cosine >= 0.99 but not bit for bit, hence its own `model_id`.

An int8 export is run one text per session run ("row mode"): dynamic quantization takes
its activation scale over the whole input tensor, so in a padded batch a question's vector
would depend on its neighbours (seen: one question answered or declined depending on the
batch). One text per run makes every vector deterministic and wastes no padding. The runs
go to a small pool of single-threaded workers sharing one session, which on a small
machine is as fast as batching inside one run (docs/performance.md).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from bot.embedding.base import normalize_rows

META_FILE = "export.json"  # same names as bot.embedding.onnx_export, which imports torch lazily
MODEL_FILE = "model.onnx"


def default_threads() -> int:
    """intra-op threads: $CALLBOT_ONNX_THREADS, else the usable cores capped at 2.

    A question is ~10-30 tokens; beyond 2 threads the fork/join cost outweighs the work,
    and the bot's event loop, FAISS and BM25 share the same small machine.
    """
    env = os.environ.get("CALLBOT_ONNX_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))


class OnnxEmbedder:
    """Embedder over an export folder; constructing it reads nothing, first embed loads."""

    def __init__(self, export_dir: Path, batch_size: int = 32, threads: int | None = None) -> None:
        self._dir = Path(export_dir)
        self._batch_size = max(1, int(batch_size))
        self._threads = threads
        self._meta: dict[str, Any] | None = None
        self._session: Any = None
        self._tokenizer: Any = None
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def meta(self) -> dict[str, Any]:
        """export.json (a few hundred bytes, read once)."""
        if self._meta is None:
            self._meta = json.loads((self._dir / META_FILE).read_text(encoding="utf-8"))
        return self._meta

    @property
    def model_id(self) -> str:
        return onnx_model_id(self.meta["model"], bool(self.meta.get("quantization")))

    @property
    def dimension(self) -> int:
        return int(self.meta["dimension"])

    @property
    def row_mode(self) -> bool:
        """One text per run: required for a deterministic int8 model (see module docstring)."""
        return bool(self.meta.get("quantization"))

    @property
    def workers(self) -> int:
        return self._threads or default_threads()

    def load(self) -> OnnxEmbedder:
        """Load session and tokenizer now (e.g. at bot start) instead of on first question."""
        if self._session is None:
            with self._lock:
                if self._session is None:
                    if self._tokenizer is None:
                        self._tokenizer = self._load_tokenizer()
                    if self.row_mode and self.workers > 1:
                        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="onnx-row")
                    self._session = self._load_session()
        return self

    def _load_tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(self._dir / "tokenizer.json"))
        # tokenizer.json ships its own settings (MiniLM: fixed padding to 128, truncation
        # at 128); replace them by sentence-transformers' behaviour.
        tok.no_padding()
        tok.no_truncation()
        tok.enable_truncation(max_length=int(self.meta["max_seq_length"]))
        tok.enable_padding(pad_id=int(self.meta["pad_id"]), pad_token=str(self.meta["pad_token"]))
        return tok

    def _load_session(self) -> Any:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Row mode parallelises across runs (one thread each); batch mode inside a run.
        opts.intra_op_num_threads = 1 if self.row_mode else self.workers
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # No busy-waiting between runs: on a small machine the spinning worker would steal
        # the core the event loop, FAISS and BM25 need.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3  # warnings about unused initializers are noise here
        return ort.InferenceSession(str(self._dir / MODEL_FILE), sess_options=opts, providers=["CPUExecutionProvider"])

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.load()
        texts = list(texts)
        if self.row_mode:
            return self._embed_rows(texts)
        # Longest first, like sentence-transformers: batches of similar length pad less.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), self._batch_size):
            idx = order[start : start + self._batch_size]
            out[idx] = self._embed_chunk([texts[i] for i in idx])
        return out

    def _embed_rows(self, texts: list[str]) -> np.ndarray:
        """Each text in its own run; the session is thread-safe, so the pool shares it."""
        if len(texts) == 1 or self._pool is None:
            return np.vstack([self._embed_chunk([t]) for t in texts])
        return np.vstack(list(self._pool.map(lambda t: self._embed_chunk([t]), texts)))

    def feeds(self, texts: list[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The model inputs for `texts` (padded to the longest) and the attention mask."""
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    self._tokenizer = self._load_tokenizer()
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.meta["input_names"]:
            feeds["token_type_ids"] = np.zeros_like(ids)
        return feeds, mask

    def _embed_chunk(self, texts: list[str]) -> np.ndarray:
        feeds, mask = self.feeds(texts)
        hidden = self._session.run(["last_hidden_state"], feeds)[0]
        pooled = pool(hidden, mask, self.meta["pooling"])
        return normalize_rows(pooled) if self.meta.get("normalize", True) else pooled


def onnx_model_id(label: str, quantized: bool) -> str:
    """`<model>@onnx` or `<model>@onnx-int8sq`: vectors differ per backend and precision.

    The int8 suffix names the scheme (see onnx_export), so an index built by the first
    release's dynamic int8 (`@onnx-int8`) is rebuilt, not mixed with new vectors.
    """
    return f"{label}@onnx" + ("-int8sq" if quantized else "")


def pool(hidden: np.ndarray, mask: np.ndarray, mode: str) -> np.ndarray:
    """sentence-transformers' Pooling on (batch, seq, dim) token embeddings, in numpy."""
    m = mask.astype(np.float32)[:, :, None]
    lengths = m.sum(axis=1)
    if mode in ("mean", "mean_sqrt_len_tokens"):
        denom = np.maximum(lengths, 1e-9)
        return (hidden * m).sum(axis=1) / (np.sqrt(denom) if mode == "mean_sqrt_len_tokens" else denom)
    if mode == "cls":
        return hidden[:, 0]
    if mode == "max":
        return np.where(m > 0, hidden, -np.inf).max(axis=1)
    if mode == "lasttoken":  # right padding: the last real token sits at length - 1
        last = lengths[:, 0].astype(np.int64) - 1
        return hidden[np.arange(hidden.shape[0]), last]
    if mode == "weightedmean":
        w = m * np.arange(1, hidden.shape[1] + 1, dtype=np.float32)[None, :, None]
        return (hidden * w).sum(axis=1) / np.maximum(w.sum(axis=1), 1e-9)
    raise ValueError(f"unknown pooling mode {mode!r}")
