"""Export a sentence-transformers model to ONNX once, so bot processes never import torch.

The cache folder is `cache_root/<label>-<fingerprint>[-int8sq]/` holding `model.onnx`, the
tokenizer files and `export.json` (pooling, normalisation, max length...). Finding an
existing export needs only the standard library: no torch, no onnx. Exports are built in a
temporary folder and renamed into place, so readers never see a half-written export and
two concurrent exporters cannot corrupt each other (the loser discards its copy).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.embedding.model_path import model_label, resolve_model
from bot.errors import ConfigError

log = logging.getLogger(__name__)

# Bump when the export layout or graph changes: old caches are then ignored, not misread.
EXPORT_FORMAT = 1
OPSET = 17
MODEL_FILE = "model.onnx"
META_FILE = "export.json"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")
# The int8 flavour's folder suffix; it names the quantization scheme, so a change of scheme
# never reuses a folder made by another (the first release's "-int8" was plain dynamic int8).
INT8_SUFFIX = "-int8sq"
_SMALL_FILE = 4 << 20  # hashed in full below this size; bigger ones by size + head + tail
_EDGE = 1 << 20
_POOLING_MODES = ("mean", "cls", "max", "mean_sqrt_len_tokens", "weightedmean", "lasttoken")
_LEGACY_POOLING = {
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens": "weightedmean",
    "pooling_mode_lasttoken": "lasttoken",
}

# Number of real exports / quantizations done by this process: tests use it to prove the
# cache was hit.
export_count = 0
quantize_count = 0


def model_dir(model: str) -> Path:
    """The local folder holding the model's files (never downloads)."""
    resolved = resolve_model(model)
    path = Path(resolved)
    if path.is_dir():
        return path
    try:  # a hub name: only a copy already in the local HF cache is acceptable
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(resolved, local_files_only=True))
    except Exception as err:
        raise ConfigError(
            f"embedding model '{model}' is not a local folder nor in the local cache "
            f"({err.__class__.__name__}); give a local model path."
        ) from None


def fingerprint(folder: Path) -> str:
    """Stable, cheap identity of the model files (content, not mtimes, so reinstalls hit).

    Small files are hashed whole; weight files by size plus first and last MiB, which
    changes whenever a different checkpoint is dropped in, at a fraction of the cost of
    hashing them whole (it runs at every start).
    """
    digest = hashlib.sha256(f"format={EXPORT_FORMAT};opset={OPSET}".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in rel.split("/")) or rel.lower().startswith("readme"):
            continue
        if rel.split("/")[0] in ("onnx", "openvino"):  # other exports shipped alongside
            continue
        size = path.stat().st_size
        digest.update(f"\0{rel}\0{size}\0".encode())
        with path.open("rb") as fh:
            if size <= _SMALL_FILE:
                digest.update(fh.read())
            else:
                digest.update(fh.read(_EDGE))
                fh.seek(size - _EDGE)
                digest.update(fh.read(_EDGE))
    return digest.hexdigest()[:16]


def _safe(label: str) -> str:
    name = label.rstrip("/").rsplit("/", 1)[-1] or "model"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:64]


def export_dir_for(model: str, cache_root: Path, quantize: bool) -> Path:
    """Where the export for these model files would live (computed, nothing loaded)."""
    name = f"{_safe(model_label(model))}-{fingerprint(model_dir(model))}"
    return Path(cache_root) / (name + (INT8_SUFFIX if quantize else ""))


def _is_complete(folder: Path) -> bool:
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return meta.get("format") == EXPORT_FORMAT and (folder / MODEL_FILE).is_file()


def cached_export_path(model: str, cache_root: Path, quantize: bool) -> Path | None:
    """The finished export for this model, or None; imports neither torch nor onnx."""
    folder = export_dir_for(model, cache_root, quantize)
    return folder if _is_complete(folder) else None


def export_onnx(model: str, cache_root: Path, quantize: bool) -> Path:
    """The export folder for `model`, exporting (torch) or quantizing (onnxruntime) if missing.

    int8 is derived from the fp32 export, so asking for int8 after fp32 needs no torch.
    """
    target = export_dir_for(model, cache_root, quantize)
    if _is_complete(target):
        log.info("onnx export cache hit: %s", target)
        return target
    if quantize:
        source = export_onnx(model, cache_root, quantize=False)
        return _publish(target, lambda tmp: _quantize_into(source, tmp))
    return _publish(target, lambda tmp: _export_into(model, tmp))


def _publish(target: Path, build: Callable[[Path], None]) -> Path:
    """Build into a temp sibling folder, then rename it into place atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        build(tmp)
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; bot processes may run as another user
        try:
            os.rename(tmp, target)
        except OSError:
            if not _is_complete(target):  # not a lost race: a damaged folder is in the way
                raise ConfigError(f"{target} exists but is not a complete ONNX export; delete it.") from None
            log.info("onnx export: another process finished %s first", target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _pooling_mode(pooling: Any) -> str:
    """The single pooling mode, from the module (sentence-transformers >= 6) or legacy flags."""
    mode = getattr(pooling, "pooling_mode", None)
    if mode is None:
        cfg = pooling.get_config_dict()
        modes = [m for key, m in _LEGACY_POOLING.items() if cfg.get(key)]
        mode = modes[0] if len(modes) == 1 else tuple(modes)
    if isinstance(mode, (list, tuple)) and len(mode) == 1:
        mode = mode[0]
    if mode not in _POOLING_MODES:
        raise ConfigError(f"ONNX backend: unsupported pooling {mode!r}; use backend 'torch'.")
    return str(mode)


def _pipeline(st: Any) -> tuple[Any, Any, bool]:
    """(Transformer, Pooling, normalize) or a ConfigError for pipelines we can't mirror."""
    kinds = [type(m).__name__ for m in st]
    if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
        raise ConfigError(f"ONNX backend cannot reproduce the pipeline {kinds}; use backend 'torch'.")
    return st[0], st[1], "Normalize" in kinds


def _export_into(model: str, out: Path) -> None:
    """Trace the transformer with the TorchScript exporter (needs no onnxscript)."""
    global export_count
    import torch

    from bot.embedding.torch_backend import load_sentence_transformer

    started = time.perf_counter()
    st = load_sentence_transformer(model)
    transformer, pooling, normalize = _pipeline(st)
    tokenizer = transformer.tokenizer
    hf_model = transformer.auto_model.eval()
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tokenizer.model_input_names]

    class _Wrapper(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.inner(**dict(zip(names, tensors)), return_dict=True).last_hidden_state

    # The example batch must contain padding: a mask-free trace would drop the mask.
    example = tokenizer(["a question about cyber norms?", "hi"], padding=True, return_tensors="pt")
    args = tuple(example[n] for n in names)
    axes = {n: {0: "batch", 1: "sequence"} for n in [*names, "last_hidden_state"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # legacy-exporter deprecation + benign tracer notes
        torch.onnx.export(
            # .eval(): the exporter restores the wrapper's mode afterwards, and a fresh Module
            # is in training mode, which would switch dropout on in hf_model for _verify.
            _Wrapper(hf_model).eval(),
            args,
            str(out / MODEL_FILE),
            dynamo=False,
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=OPSET,
            do_constant_folding=True,
        )
        _verify(out / MODEL_FILE, hf_model, tokenizer, names)
    source = model_dir(model)
    for name in TOKENIZER_FILES:
        if (source / name).is_file():
            shutil.copy2(source / name, out / name)
    # tokenizer.json is rewritten from the tokenizer sentence-transformers actually runs: it
    # may have patched the normalizer (do_lower_case), and slow-only models have no file.
    tokenizer.backend_tokenizer.save(str(out / "tokenizer.json"))
    meta = {
        "format": EXPORT_FORMAT,
        "model": model_label(model),
        "source": str(source),
        "fingerprint": fingerprint(source),
        "pooling": _pooling_mode(pooling),
        "normalize": normalize,
        "max_seq_length": int(transformer.max_seq_length or tokenizer.model_max_length),
        "dimension": int(
            st.get_embedding_dimension()
            if hasattr(st, "get_embedding_dimension")
            else st.get_sentence_embedding_dimension()
        ),
        "input_names": names,
        "pad_token": tokenizer.pad_token,
        "pad_id": int(tokenizer.pad_token_id or 0),
        "quantization": None,
        "opset": OPSET,
        "torch": torch.__version__,
    }
    _write_meta(out, meta)
    export_count += 1
    log.info("onnx export of %s done in %.1fs", meta["model"], time.perf_counter() - started)


def _verify(path: Path, hf_model: Any, tokenizer: Any, names: list[str]) -> None:
    """Run the exported graph on a batch shaped unlike the trace example; compare with torch."""
    import onnxruntime as ort
    import torch

    texts = ["Who signed the Paris Call for Trust and Security in Cyberspace in 2018?", "ok", "why?"]
    enc = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        expected = hf_model(**{n: enc[n] for n in names}, return_dict=True).last_hidden_state.numpy()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {n: enc[n].numpy() for n in names})[0]
    mask = enc["attention_mask"].numpy().astype(bool)  # padded positions may legitimately differ
    error = float(abs(got[mask] - expected[mask]).max())
    if error > 1e-3:
        raise RuntimeError(f"ONNX export does not match torch (max abs error {error:.2e})")
    log.debug("onnx export verified: max abs error %.2e", error)


def _quantize_into(source: Path, out: Path) -> None:
    """SmoothQuant + dynamic per-channel int8 (why and the measurements: smoothquant.py)."""
    global quantize_count
    from bot.embedding.smoothquant import SCHEME, quantize_smooth

    started = time.perf_counter()
    smoothed = quantize_smooth(source, out / MODEL_FILE)
    for path in source.iterdir():
        if path.name not in (MODEL_FILE, META_FILE) and path.is_file():
            shutil.copy2(path, out / path.name)
    meta = json.loads((source / META_FILE).read_text(encoding="utf-8"))
    meta["quantization"] = SCHEME
    _write_meta(out, meta)
    quantize_count += 1
    log.info(
        "onnx int8 quantization (%d MatMuls smoothed) done in %.1fs: %s", smoothed, time.perf_counter() - started, out
    )


def _write_meta(out: Path, meta: dict[str, Any]) -> None:
    (out / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def read_meta(folder: Path) -> dict[str, Any]:
    """The export.json of a finished export."""
    return json.loads((Path(folder) / META_FILE).read_text(encoding="utf-8"))
