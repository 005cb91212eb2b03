"""Ingestion time of hostile text shapes: a 10 MB file of short lines, and others.

Loads (sniff, decode, unwrap, clean) and chunks each generated file the way `index add`
does before anything is embedded, and prints the seconds each took. A many-short-lines
file used to take time growing with the square of its line count while holding the build
lock; this shows the cost is now linear in the document's size.

Usage (from the repository root): .venv/bin/python -m benchmarks.bench_ingest [--megabytes 10]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.errors import DocumentError
from bot.ingest import chunk_document, load_document

SHAPES: dict[str, Callable[[int], str]] = {
    "short lines (w1, w2, ...)": lambda size: "".join(f"w{i}\n" for i in range(size // 8)),
    "one long word": lambda size: "a" * size,
    "colon labels": lambda size: "Label:\n" * (size // 7),
    "sentences on one line": lambda size: "The Call met in Paris. " * (size // 23),
}


def measure(folder: Path, name: str, text: str) -> tuple[float, str]:
    path = folder / "bench.txt"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    try:
        passages = len(chunk_document(load_document(path, max_bytes=len(text) + 1)))
        outcome = f"{passages} passages"
    except DocumentError as err:
        outcome = f"refused: {str(err).split(': ', 1)[-1]}"
    return time.perf_counter() - started, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=10.0)
    args = parser.parse_args()
    size = int(args.megabytes * 1_000_000)
    with tempfile.TemporaryDirectory(prefix="callbot-bench-ingest-") as tmp:
        for name, make in SHAPES.items():
            text = make(size)
            seconds, outcome = measure(Path(tmp), name, text)
            print(f"ingest {len(text.encode()) / 1e6:.1f} MB of {name}: {seconds:.1f} s ({outcome})", flush=True)


if __name__ == "__main__":
    main()
