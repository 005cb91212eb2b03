"""Full index build versus adding one document incrementally, with the real embedder.

Builds a synthetic knowledge base of about 2,000 passages (the five seed documents plus
~60 generated ones: a word-bigram chain trained on the seeds' sentences, so the vocabulary
and sentence shapes are the seeds', the content is new), then measures:

* the full build (every passage and answer sentence embedded),
* adding one more document through `app.knowledge.add_paths` (quality gate off:
  `force=True`), which re-embeds only that document's texts,
* a rebuild with nothing changed (everything reused),

and prints what each embedded and the ratio. Uses `create_app(settings)` with the default
embedding config (ONNX backend). All runs share one index folder, so the one-time ONNX
export under `<index>/models/` is reused; the versions are wiped at each start.

Usage (from the repository root): .venv/bin/python -m benchmarks.bench_knowledge [--docs 60] [--target 2000] [--adds 3]
       [--work DIR]   (default: $TMPDIR/callbot-bench-knowledge)
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bot.app import create_app
from bot.config import Settings
from bot.index.sources import is_document_file
from bot.ingest import load_knowledge_dir, split_sentences
from bot.types import Actor

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ACTOR = Actor("bench", "bench", "bench")
PUBLISHERS = [
    "Cyber Policy Review",
    "Digital Peace Monitor",
    "Forum Notes",
    "Internet Governance Digest",
    "Tech Accord Bulletin",
    "Security Affairs Weekly",
]


class SentenceChain:
    """A word-bigram Markov chain over the seed sentences: seed vocabulary, new sentences."""

    def __init__(self, sentences: list[str], rng: random.Random) -> None:
        self.rng = rng
        self.next: dict[str, list[str]] = defaultdict(list)
        self.starts: list[str] = []
        for sentence in sentences:
            words = sentence.split()
            if len(words) < 6 or not sentence.rstrip().endswith((".", "!", "?")):
                continue
            self.starts.append(words[0])
            for a, b in zip(words, words[1:]):
                self.next[a].append(b)
        self.words = [w for w in self.next if re.fullmatch(r"[A-Za-z][a-z]{3,}", w)]

    def sentence(self) -> str:
        for _ in range(20):
            words = [self.rng.choice(self.starts)]
            while len(words) < 40:
                followers = self.next.get(words[-1])
                if not followers:
                    break
                words.append(self.rng.choice(followers))
                if words[-1].endswith((".", "!", "?")) and len(words) >= 8:
                    return " ".join(words)
        return " ".join(words).rstrip(".,;:") + "."

    def title(self) -> str:
        return " ".join(self.rng.choice(self.words) for _ in range(self.rng.randint(3, 7))).capitalize()


def make_document(chain: SentenceChain, rng: random.Random, n_sentences: int) -> str:
    """Markdown with front matter, sections, paragraphs and the odd bullet list."""
    date = f"{rng.randint(2018, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    lines = [
        "---",
        f'title: "{chain.title()}"',
        f'publisher: "{rng.choice(PUBLISHERS)}"',
        f'date: "{date}"',
        "kind: article",
        "---",
        "",
    ]
    written = 0
    while written < n_sentences:
        lines += [f"## {chain.title()}", ""]
        for _ in range(rng.randint(2, 4)):
            if rng.random() < 0.2:
                items = rng.randint(3, 5)
                lines += [f"- {chain.sentence().rstrip('.')};" for _ in range(items)] + [""]
                written += items
            else:
                size = rng.randint(2, 6)
                lines += [" ".join(chain.sentence() for _ in range(size)), ""]
                written += size
    return "\n".join(lines)


def build_corpus(folder: Path, docs: int, target: int, rng: random.Random, settings: Settings) -> SentenceChain:
    """Seeds plus `docs` generated documents sized so the total is about `target` passages."""
    from bot.index.builder import chunk_all

    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(REPO / "knowledge", folder)
    seeds, _ = load_knowledge_dir(folder)
    chain = SentenceChain([s for doc in seeds for s in split_sentences(doc.text)], rng)
    seed_passages = len(chunk_all(seeds, settings))
    # sentence windows of `sentences` with `overlap`: about (sentences - overlap) new sentences per passage
    step = settings.chunking.sentences - settings.chunking.overlap
    per_doc = max(4, (target - seed_passages) * step // docs)
    for i in range(docs):
        n = rng.randint(int(per_doc * 0.6), int(per_doc * 1.4))
        (folder / f"synthetic-{i:03d}.md").write_text(make_document(chain, rng, n), encoding="utf-8")
    return chain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=60)
    parser.add_argument("--target", type=int, default=2000, help="approximate passages in the knowledge base")
    parser.add_argument("--adds", type=int, default=3, help="incremental adds to time (median reported)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "callbot-bench-knowledge")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    work: Path = args.work
    knowledge, index, incoming = work / "knowledge", work / "index", work / "incoming"
    for leftover in ("versions", "CURRENT", "HISTORY", "audit.sqlite3"):  # keep models/ (the ONNX export)
        path = index / leftover
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir(parents=True)
    settings = Settings.model_validate(
        {
            "knowledge_dir": str(knowledge),
            "index_dir": str(index),
            "knowledge_ops": {"quality_eval_file": str(work / "no-gate.jsonl"), "keep_versions": 3},
            "logging": {"level": "WARNING"},
        }
    )
    import logging

    logging.basicConfig(level=logging.ERROR)
    chain = build_corpus(knowledge, args.docs, args.target, rng, settings)

    app = create_app(settings)
    core = app.core
    started = time.perf_counter()
    core.embedder.embed_batch(["warm-up"])  # export (first run only) and load the model
    load_seconds = time.perf_counter() - started

    # -- full build: nothing to reuse
    full = core.index.build_and_promote(previous=None)
    core.serve(full.data)
    n_docs = len(full.data.manifest["documents"])
    n_passages = len(full.data.passages)
    n_sentences = len(full.data.sentences)
    files = sum(1 for p in knowledge.iterdir() if is_document_file(p))

    # -- incremental adds of one new document each (similar size to the generated ones)
    per_doc = statistics.median(
        m["passages"] for name, m in full.data.manifest["documents"].items() if name.startswith("synthetic-")
    )
    step = settings.chunking.sentences - settings.chunking.overlap
    adds = []
    for i in range(args.adds):
        path = incoming / f"new-{i}.md"
        path.write_text(make_document(chain, rng, int(per_doc * step)), encoding="utf-8")
        t0 = time.perf_counter()
        report = app.knowledge.add_paths([path], ACTOR, force=True)
        seconds = time.perf_counter() - t0
        meta = core.serving.data.manifest["documents"][report.added[0]]
        adds.append((seconds, report.embedded, report.reused, meta["passages"], report.passages))

    # -- a rebuild with nothing changed
    t0 = time.perf_counter()
    same = app.knowledge.rebuild(ACTOR, force=True)
    same_seconds = time.perf_counter() - t0

    add_seconds = statistics.median(a[0] for a in adds)
    add_embedded = statistics.median(a[1] for a in adds)
    add_passages = statistics.median(a[3] for a in adds)
    print(f"callbot knowledge benchmark: model {core.embedder.model_id}, {os.cpu_count()} CPUs, index folder {index}")
    print(
        f"knowledge base: {n_docs} documents ({files} files), {n_passages} passages, "
        f"{n_sentences} answer sentences (overlapping windows share sentences)"
    )
    print(f"model load (ONNX export cached under {index / 'models'}; the first run exports): {load_seconds:.1f} s")
    print(
        f"full build: {full.seconds:.1f} s, {full.embedded} texts embedded "
        f"({n_passages} passages + {full.embedded - n_passages} distinct sentences), {full.reused} reused"
    )
    for i, (seconds, embedded, reused, passages, total) in enumerate(adds, 1):
        print(
            f"add #{i}: 1 document, {passages} passages: {seconds:.2f} s (build + promote + serve), "
            f"{embedded} texts embedded, {reused} reused; index now {total} passages"
        )
    print(f"rebuild with nothing changed: {same_seconds:.2f} s, {same.embedded} texts embedded, {same.reused} reused")
    print(
        f"ratio (median add / full build): passages embedded {add_passages:g} / {n_passages} = "
        f"{add_passages / n_passages:.1%}; texts embedded {add_embedded:g} / {full.embedded} = "
        f"{add_embedded / full.embedded:.1%}; time {add_seconds:.2f} s / {full.seconds:.1f} s = "
        f"{add_seconds / full.seconds:.1%} ({full.seconds / add_seconds:.0f}x faster)"
    )


if __name__ == "__main__":
    main()
