"""Compare the torch and ONNX (fp32, int8) embedders: cold start, latency, throughput, parity.

Usage (from the repository root): .venv/bin/python -m benchmarks.bench_embedders [--cache DIR] [--runs 200]
Cold starts run in fresh subprocesses so imports are really cold (page cache aside).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from tests.support.parity import PARITY_SENTENCES

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")

QUESTION = "Which principle of the Paris Call protects electoral processes from interference?"
PASSAGE = (
    "The Paris Call for Trust and Security in Cyberspace was launched on 12 November 2018 at the "
    "Paris Peace Forum. It invites states, companies and civil society to commit to nine common "
    "principles, among them the protection of electoral processes against malicious cyber activity."
)

TORCH_COLD = """
import time; t0 = time.perf_counter()
import sentence_transformers, torch; t1 = time.perf_counter()
from bot.embedding.torch_backend import TorchEmbedder
e = TorchEmbedder("default"); e.sentence_transformer; t2 = time.perf_counter()
e.embed_batch([{q!r}]); t3 = time.perf_counter()
import json; print(json.dumps({{"import": t1 - t0, "load": t2 - t1, "first": t3 - t2}}))
"""

ONNX_COLD = """
import time; t0 = time.perf_counter()
import sys
from pathlib import Path
from bot.config import EmbeddingConfig
from bot.embedding.factory import make_embedder; t1 = time.perf_counter()
e = make_embedder(EmbeddingConfig(backend="onnx", quantize={quantize}), Path({cache!r}), allow_export=False)
e.load(); t2 = time.perf_counter()
e.embed_batch([{q!r}]); t3 = time.perf_counter()
assert "torch" not in sys.modules and "transformers" not in sys.modules
import json; print(json.dumps({{"import": t1 - t0, "load": t2 - t1, "first": t3 - t2}}))
"""


def cold(code: str) -> dict[str, float]:
    """Run `code` in a fresh interpreter; its timings plus the whole process wall time."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        check=True,
    )
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    timings["process"] = time.perf_counter() - started
    return timings


def latency(embedder, runs: int) -> tuple[float, float]:
    for _ in range(10):
        embedder.embed_batch([QUESTION])
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        embedder.embed_batch([QUESTION])
        samples.append(time.perf_counter() - t)
    samples.sort()
    return statistics.median(samples) * 1e3, samples[int(0.99 * (len(samples) - 1))] * 1e3


def throughput(embedder, seconds: float = 3.0) -> float:
    batch = [f"{PASSAGE} ({i})" for i in range(32)]
    embedder.embed_batch(batch)
    n, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        embedder.embed_batch(batch)
        n += len(batch)
    return n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "callbot-bench-onnx")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    from bot.embedding import onnx_export
    from bot.embedding.onnx_backend import OnnxEmbedder, default_threads
    from bot.embedding.torch_backend import TorchEmbedder

    t = time.perf_counter()
    exports = {q: onnx_export.export_onnx("default", args.cache, quantize=q) for q in (False, True)}
    print(
        f"exports ready in {time.perf_counter() - t:.1f}s (real exports this run: "
        f"{onnx_export.export_count}, quantizations: {onnx_export.quantize_count}) in {args.cache}"
    )
    for q, path in exports.items():
        size = (path / "model.onnx").stat().st_size / 1e6
        print(f"  {'int8' if q else 'fp32'}: {path.name} ({size:.1f} MB)")
    print(
        f"cpu cores usable: {len(os.sched_getaffinity(0))}, onnx intra-op threads: {default_threads()}, "
        f"torch threads: {__import__('torch').get_num_threads()}"
    )

    print("\ncold start (fresh process; seconds)")
    rows = [("torch", cold(TORCH_COLD.format(q=QUESTION)))]
    for q in (False, True):
        code = ONNX_COLD.format(q=QUESTION, quantize=q, cache=str(args.cache))
        rows.append(("onnx int8" if q else "onnx fp32", cold(code)))
    print(f"  {'backend':10s} {'imports':>8s} {'load':>8s} {'1st embed':>10s} {'process':>8s}")
    for name, r in rows:
        print(f"  {name:10s} {r['import']:8.3f} {r['load']:8.3f} {r['first']:10.3f} {r['process']:8.3f}")

    embedders = {
        "torch": TorchEmbedder("default"),
        "onnx fp32": OnnxEmbedder(exports[False]),
        "onnx int8": OnnxEmbedder(exports[True]),
    }
    reference = embedders["torch"].embed_batch(PARITY_SENTENCES)
    print(
        f"\nwarm (in process; {args.runs} single-question runs after warm-up; batch = 32 passages "
        f"of ~{len(PASSAGE.split())} words)"
    )
    print(
        f"  {'backend':10s} {'p50 ms':>7s} {'p99 ms':>7s} {'batch32 /s':>11s} "
        f"{'cos mean':>9s} {'cos min':>8s} {'1-by-1 mean':>12s} {'1-by-1 min':>11s}"
    )
    for name, embedder in embedders.items():
        p50, p99 = latency(embedder, args.runs)
        rate = throughput(embedder)
        cos = (reference * embedder.embed_batch(PARITY_SENTENCES)).sum(axis=1)
        single = np.vstack([embedder.embed_batch([s]) for s in PARITY_SENTENCES])
        cos1 = (reference * single).sum(axis=1)
        print(
            f"  {name:10s} {p50:7.2f} {p99:7.2f} {rate:11.0f} {cos.mean():9.4f} {cos.min():8.4f} "
            f"{cos1.mean():12.4f} {cos1.min():11.4f}"
        )


if __name__ == "__main__":
    main()
