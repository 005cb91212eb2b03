"""The versioned index: manifest staleness, atomic promotion, corrupt-index recovery."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from bot.core import BotCore
from bot.errors import IndexCorruptError
from bot.index.builder import build_index
from bot.index.store import read_version
from bot.ingest.embedded_text import embedding_text
from tests.conftest import make_settings
from tests.fake_embedder import FakeEmbedder


def test_build_writes_a_loadable_version_with_manifest(make_core):
    core = make_core()
    store = core.index.store
    version = store.current()
    assert version == core.index_version
    data = read_version(store.path(version))
    manifest = data.manifest
    assert manifest["model_id"] == "fake-bow@test"
    assert manifest["dimension"] == 256
    assert manifest["chunking"] == core.settings.chunking.model_dump()
    assert len(manifest["documents"]) == 5
    assert all(len(meta["sha256"]) == 64 for meta in manifest["documents"].values())
    assert manifest["built_at"].endswith("Z")
    assert len(data.passages) == data.vectors.shape[0] == data.faiss_index.ntotal > 20
    assert np.allclose(np.linalg.norm(data.vectors, axis=1), 1.0, atol=1e-4)
    # passages never span two documents and carry their document's metadata
    titles = {meta["doc_id"]: meta["title"] for meta in manifest["documents"].values()}
    assert all(p.title == titles[p.doc_id] for p in data.passages)


def test_restart_loads_without_rebuilding(make_core, tmp_path, knowledge_copy):
    core = make_core()
    again = BotCore(core.settings, embedder=FakeEmbedder())
    assert again.start() is None  # no rebuild reason
    assert again.index_version == core.index_version
    assert again.embedder.embedded_texts == 0


@pytest.mark.parametrize(
    "change, reason",
    [
        ("edit", "changed"),
        ("add", "added"),
        ("remove", "removed"),
    ],
)
def test_changed_documents_make_the_index_stale(make_core, knowledge_copy, change, reason):
    core = make_core()
    old = core.index_version
    target = knowledge_copy / "002-macron-launches-paris-call-trpakistan.md"
    if change == "edit":
        target.write_text(
            target.read_text(encoding="utf-8") + "\nA new closing sentence about the Call.\n", encoding="utf-8"
        )
    elif change == "add":
        (knowledge_copy / "new.md").write_text("# New\n\nThe Paris Call gained new supporters in 2020.\n")
    else:
        target.unlink()
    assert reason in core.index.stale_reason(old)
    fresh = BotCore(core.settings, embedder=FakeEmbedder())
    assert fresh.start() is None  # the stale version serves at once: no rebuild first
    assert fresh.index_version == old and reason in fresh.stale
    fresh.rebuild_in_background().join(60)  # long-running modes rebuild beside it
    assert fresh.index_version != old and fresh.stale is None


def test_other_model_or_chunking_makes_the_index_stale(make_core, tmp_path, knowledge_copy):
    core = make_core()
    other_model = BotCore(core.settings, embedder=FakeEmbedder(model_id="another@test"))
    assert "built with fake-bow@test" in other_model.index.stale_reason(core.index_version)
    rechunked = make_settings(tmp_path, knowledge_copy, chunking={"sentences": 2, "overlap": 0})
    assert "chunking" in BotCore(rechunked, embedder=FakeEmbedder()).index.stale_reason(core.index_version)


def test_a_build_that_crashes_half_way_leaves_the_old_version_serving(make_core, monkeypatch):
    core = make_core()
    store = core.index.store
    old = store.current()

    import bot.index.manager as manager

    def crash(folder, data):
        (folder / "passages.jsonl").write_text("half written")
        raise OSError("disk full")

    monkeypatch.setattr(manager, "write_version", crash)
    (core.settings.knowledge_path / "extra.md").write_text("# Extra\n\nSomething new about the Paris Call.\n")
    with pytest.raises(OSError):
        core.index.build_and_promote()
    assert store.current() == old
    assert read_version(store.path(old)).version == old
    assert not [p for p in store.versions_dir.iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.parametrize("damage", ["truncate_vectors", "garble_manifest", "delete_faiss", "garble_passages"])
def test_corrupt_index_is_reported_and_rebuilt(make_core, damage):
    core = make_core()
    folder = core.index.store.path(core.index_version)
    if damage == "truncate_vectors":
        data = (folder / "vectors.npy").read_bytes()
        (folder / "vectors.npy").write_bytes(data[: len(data) // 2])
    elif damage == "garble_manifest":
        (folder / "manifest.json").write_text("{not json")
    elif damage == "delete_faiss":
        (folder / "faiss.index").unlink()
    else:
        (folder / "passages.jsonl").write_text("garbage\n")
    with pytest.raises(IndexCorruptError):
        read_version(folder)
    fresh = BotCore(core.settings, embedder=FakeEmbedder())
    reason = fresh.start()
    assert reason and "index version" in reason
    assert fresh.index_version != core.index_version
    assert fresh.ask_many  # the new version answers
    assert fresh.serving.data.passages


def test_manifest_checksums_cover_every_data_file(make_core):
    core = make_core()
    manifest = json.loads((core.index.store.path(core.index_version) / "manifest.json").read_text())
    assert set(manifest["checksums"]) == {
        "passages.jsonl",
        "vectors.npy",
        "sentences.jsonl",
        "sentence_vectors.npy",
        "faiss.index",
    }


def test_old_versions_are_pruned_to_the_configured_number(make_core, knowledge_copy):
    core = make_core(knowledge_ops={"keep_versions": 2})
    for i in range(3):
        (knowledge_copy / f"note{i}.md").write_text(f"# Note {i}\n\nThe Paris Call note number {i} about norms.\n")
        core.index.build_and_promote()
    versions = core.index.store.list_versions()
    assert len(versions) == 2
    assert core.index.store.current() == versions[-1]


@pytest.mark.parametrize("index_type", ["hnsw", "ivf"])
def test_approximate_index_types_fall_back_to_exact_on_small_corpora(make_core, index_type):
    import faiss

    core = make_core(retrieval={"index_type": index_type})
    assert isinstance(core.serving.data.faiss_index, faiss.IndexFlatIP)
    assert core.serving.data.manifest["index_type"] == index_type


def test_approximate_index_types_on_large_corpora():
    from bot.index.faiss_index import make_faiss_index

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(5000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for kind in ("hnsw", "ivf"):
        index = make_faiss_index(vectors, kind)
        assert index.ntotal == 5000
        _, ids = index.search(vectors[:20], 1)
        assert (ids[:, 0] == np.arange(20)).mean() >= 0.9


def test_two_bots_starting_together_build_the_index_once(tmp_path, knowledge_copy):
    """A second process waiting on the build lock loads the version the first one built."""
    import threading

    settings = make_settings(tmp_path, knowledge_copy)
    cores = [BotCore(settings, embedder=FakeEmbedder()) for _ in range(2)]
    reasons: list[str | None] = []
    threads = [threading.Thread(target=lambda c=c: reasons.append(c.start())) for c in cores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert cores[0].index_version == cores[1].index_version
    assert sorted(r is None for r in reasons) == [False, True]  # one built, one loaded
    assert sorted(c.embedder.embedded_texts > 0 for c in cores) == [False, True]


def test_passages_are_embedded_without_their_headings():
    text = "# Paris Call is similar to Russian initiatives\nOn January 31, Infoforum 2019 will open in Moscow."
    assert embedding_text(text) == "On January 31, Infoforum 2019 will open in Moscow."
    assert embedding_text("# Only a heading") == "# Only a heading"  # nothing else: keep the text


def test_vectors_are_reused_only_under_the_same_ingest_rules(make_core):
    """Ingest rules decide what text a passage is embedded as; vectors built under other
    rules must not be reused even where the text looks the same."""
    core = make_core()
    previous = core.serving.data
    same = build_index(core.settings, FakeEmbedder(), previous=previous)
    assert same.embedded == 0 and same.reused > 0
    older = replace(previous, manifest={**previous.manifest, "ingest_version": -1})
    rebuilt = build_index(core.settings, FakeEmbedder(), previous=older)
    assert rebuilt.reused == 0 and rebuilt.embedded == same.reused
