"""Reading and writing one index version folder.

Files: `manifest.json` (model, dimension, chunking, documents and their hashes, file
checksums), `passages.jsonl`, `vectors.npy` (passage vectors, reused by incremental
builds), `sentences.jsonl` + `sentence_vectors.npy` (for the best-answering sentence),
`faiss.index`, and `sources/` (a copy of the documents, so a rollback restores them).
Any unreadable or inconsistent file raises IndexCorruptError, never a library traceback.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import IndexCorruptError
from bot.types import Passage, SourceInfo

FORMAT_VERSION = 1
DATA_FILES = ("passages.jsonl", "vectors.npy", "sentences.jsonl", "sentence_vectors.npy", "faiss.index")


@dataclass(frozen=True)
class IndexData:
    """Everything a version holds in memory; the retriever is built from it."""

    version: str
    manifest: dict[str, Any]
    passages: tuple[Passage, ...]
    vectors: np.ndarray
    sentence_owner: np.ndarray  # passage row of each sentence
    sentences: tuple[str, ...]
    sentence_vectors: np.ndarray
    faiss_index: Any


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_version(folder: Path, data: IndexData) -> None:
    """Write all files of a version into `folder` (a temporary folder, renamed later)."""
    import faiss

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "passages.jsonl", "w", encoding="utf-8") as fh:
        for passage in data.passages:
            fh.write(json.dumps(asdict(passage), ensure_ascii=False) + "\n")
    np.save(folder / "vectors.npy", data.vectors.astype(np.float32))
    with open(folder / "sentences.jsonl", "w", encoding="utf-8") as fh:
        for owner, sentence in zip(data.sentence_owner.tolist(), data.sentences):
            fh.write(json.dumps([owner, sentence], ensure_ascii=False) + "\n")
    np.save(folder / "sentence_vectors.npy", data.sentence_vectors.astype(np.float32))
    faiss.write_index(data.faiss_index, str(folder / "faiss.index"))
    manifest = dict(data.manifest)
    manifest["format"] = FORMAT_VERSION
    manifest["checksums"] = {name: _sha256(folder / name) for name in DATA_FILES}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest alone (cheap): used for staleness checks and `index status`."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorruptError(f"index version {folder.name} has no manifest.") from None
    except (OSError, ValueError, UnicodeDecodeError):
        raise IndexCorruptError(f"index version {folder.name}: the manifest is unreadable.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise IndexCorruptError(f"index version {folder.name}: unknown manifest format.")
    return manifest


def read_version(folder: Path) -> IndexData:
    """Load a version, verifying checksums and counts first."""
    import faiss

    manifest = read_manifest(folder)
    checksums = manifest.get("checksums", {})
    for name in DATA_FILES:
        path = folder / name
        if not path.is_file() or _sha256(path) != checksums.get(name):
            raise IndexCorruptError(f"index version {folder.name}: {name} is missing or damaged.")
    try:
        with open(folder / "passages.jsonl", encoding="utf-8") as fh:
            passages = tuple(Passage(**json.loads(line)) for line in fh)
        vectors = np.load(folder / "vectors.npy", allow_pickle=False)
        with open(folder / "sentences.jsonl", encoding="utf-8") as fh:
            pairs = [json.loads(line) for line in fh]
        sentence_vectors = np.load(folder / "sentence_vectors.npy", allow_pickle=False)
        index = faiss.read_index(str(folder / "faiss.index"))
    except (OSError, ValueError, TypeError, RuntimeError) as err:
        raise IndexCorruptError(f"index version {folder.name} is unreadable ({err.__class__.__name__}).") from None
    owners = np.array([p[0] for p in pairs], dtype=np.int64)
    sentences = tuple(str(p[1]) for p in pairs)
    consistent = (
        len(passages) == vectors.shape[0] == index.ntotal == manifest.get("passages")
        and len(sentences) == sentence_vectors.shape[0]
        and (vectors.size == 0 or vectors.shape[1] == manifest.get("dimension"))
    )
    if not consistent:
        raise IndexCorruptError(f"index version {folder.name}: its files disagree with each other.")
    return IndexData(
        version=folder.name,
        manifest=manifest,
        passages=passages,
        vectors=vectors.astype(np.float32, copy=False),
        sentence_owner=owners,
        sentences=sentences,
        sentence_vectors=sentence_vectors.astype(np.float32, copy=False),
        faiss_index=index,
    )


def sources_from_manifest(manifest: dict) -> list[SourceInfo]:
    """SourceInfo rows from a manifest, without loading vectors or a model."""
    return [
        SourceInfo(
            doc_id=meta["doc_id"],
            title=meta["title"],
            publisher=meta["publisher"],
            date=meta["date"],
            source=meta["source"],
            passages=meta["passages"],
        )
        for meta in manifest.get("documents", {}).values()
    ]
