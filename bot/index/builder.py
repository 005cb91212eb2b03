"""Build an index version from the knowledge folder, reusing vectors that did not change.

What text is embedded (a passage without its headings, its answer sentences) is decided
by ingestion (`bot.ingest.embedded_text`); this module embeds it and assembles the version.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from bot.config import Settings
from bot.embedding.base import Embedder
from bot.index.faiss_index import make_faiss_index
from bot.index.sources import INGEST_VERSION, read_sidecar, scan_sources
from bot.index.store import IndexData
from bot.ingest import chunk_document, load_knowledge_dir
from bot.ingest.embedded_text import answer_sentences, embedding_text
from bot.types import Document, Passage

Progress = Callable[[int, int], None]
EMBED_BATCH = 64


@dataclass(frozen=True)
class BuildResult:
    """A finished in-memory build plus what it cost (for reports and benchmarks)."""

    data: IndexData
    embedded: int
    reused: int
    skipped: tuple[str, ...] = field(default=())
    seconds: float = 0.0


def new_version_id() -> str:
    """Sortable by build time, unique within a millisecond."""
    now = time.time()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now))
    return f"v{stamp}{int((now % 1) * 1000):03d}"


def _key(model_id: str, text: str) -> str:
    return hashlib.sha1(f"{model_id}\x00{text}".encode("utf-8")).hexdigest()


def _vector_cache(previous: IndexData | None, model_id: str) -> dict[str, np.ndarray]:
    """Vectors of the serving version by (model, text) key, when the model and the ingest
    rules (which decide what text a passage is embedded as) are the same."""
    if previous is None or previous.manifest.get("model_id") != model_id:
        return {}
    if previous.manifest.get("ingest_version") != INGEST_VERSION:
        return {}
    cache = {_key(model_id, embedding_text(p.text)): previous.vectors[i] for i, p in enumerate(previous.passages)}
    for i, sentence in enumerate(previous.sentences):
        cache[_key(model_id, sentence)] = previous.sentence_vectors[i]
    return cache


class _Embedding:
    """Embeds texts once each, reusing cached vectors; counts what it really embedded."""

    def __init__(self, embedder: Embedder, cache: dict[str, np.ndarray], progress: Progress | None) -> None:
        self.embedder, self.cache, self.progress = embedder, cache, progress
        self.embedded = 0
        self.reused = 0

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        model_id = self.embedder.model_id
        keys = [_key(model_id, t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.cache))
        by_key = dict(zip(keys, texts))
        todo = [by_key[k] for k in missing]
        for start in range(0, len(todo), EMBED_BATCH):
            batch = todo[start : start + EMBED_BATCH]
            for key, vec in zip(missing[start : start + EMBED_BATCH], self.embedder.embed_batch(batch)):
                self.cache[key] = vec
            if self.progress:
                self.progress(min(start + EMBED_BATCH, len(todo)), len(todo))
        self.embedded += len(todo)
        self.reused += len(set(keys)) - len(todo)
        if not keys:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.stack([self.cache[k] for k in keys]).astype(np.float32)


def apply_sidecar(doc: Document) -> Document:
    """Metadata an admin gave at `index add` time wins over what the file says."""
    meta = read_sidecar(Path(doc.path))
    return replace(doc, **meta) if meta else doc


def chunk_all(documents, settings: Settings) -> list[Passage]:
    cfg = settings.chunking
    passages: list[Passage] = []
    for doc in documents:
        passages.extend(chunk_document(doc, sentences=cfg.sentences, overlap=cfg.overlap, max_chars=cfg.max_chars))
    return passages


def build_index(
    settings: Settings,
    embedder: Embedder,
    previous: IndexData | None = None,
    progress: Progress | None = None,
    strict: bool = False,
) -> BuildResult:
    """Load, clean, chunk and embed `knowledge/`; returns the new version in memory.

    Bad documents are skipped with their error sentence (or raise with `strict`), so one
    broken file never takes the whole knowledge base down.
    """
    started = time.perf_counter()
    folder = settings.knowledge_path
    hashes = scan_sources(folder)
    documents, errors = load_knowledge_dir(folder, max_bytes=settings.limits.max_document_bytes)
    documents = [apply_sidecar(doc) for doc in documents]
    if strict and errors:
        from bot.errors import DocumentError

        raise DocumentError(errors[0])
    passages = chunk_all(documents, settings)
    sentence_owner: list[int] = []
    sentences: list[str] = []
    for row, passage in enumerate(passages):
        for sentence in answer_sentences(passage.text):
            sentence_owner.append(row)
            sentences.append(sentence)
    embedding = _Embedding(embedder, _vector_cache(previous, embedder.model_id), progress)
    vectors = embedding.vectors([embedding_text(p.text) for p in passages])
    sentence_vectors = embedding.vectors(sentences)
    if not passages:
        vectors = np.zeros((0, embedder.dimension), dtype=np.float32)
    docs_meta = {}
    for doc in documents:
        file_name = Path(doc.path).name
        docs_meta[file_name] = {
            "doc_id": doc.doc_id,
            "sha256": hashes.get(file_name, doc.content_hash),
            "title": doc.title,
            "publisher": doc.publisher,
            "date": doc.date,
            "source": doc.origin,
            "passages": sum(1 for p in passages if p.doc_id == doc.doc_id),
        }
    manifest = {
        "model_id": embedder.model_id,
        "dimension": int(embedder.dimension),
        "chunking": settings.chunking.model_dump(),
        "ingest_version": INGEST_VERSION,
        "index_type": settings.retrieval.index_type,
        "documents": docs_meta,
        "files": hashes,
        "passages": len(passages),
        "sentences": len(sentences),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    data = IndexData(
        version=new_version_id(),
        manifest=manifest,
        passages=tuple(passages),
        vectors=vectors,
        sentence_owner=np.array(sentence_owner, dtype=np.int64),
        sentences=tuple(sentences),
        sentence_vectors=sentence_vectors,
        faiss_index=make_faiss_index(vectors, settings.retrieval.index_type),
    )
    manifest["build_seconds"] = round(time.perf_counter() - started, 3)
    return BuildResult(data, embedding.embedded, embedding.reused, tuple(errors), time.perf_counter() - started)
