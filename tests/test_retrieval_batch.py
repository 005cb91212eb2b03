"""Batch ranking: the focus recheck and the vectorised best-sentence search."""

from __future__ import annotations

import numpy as np
import pytest

from bot.retrieval.batch import rank_batch
from bot.retrieval.decision import is_supported
from bot.types import Question
from tests.fake_embedder import FakeEmbedder

QUESTION = "What does the Paris Call say about hack-back by private companies?"


class RecordingFake(FakeEmbedder):
    """The fake embedder, remembering each batch it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def embed_batch(self, texts):
        self.batches.append(list(texts))
        return super().embed_batch(texts)


def _setup(make_core, band: tuple[float, float]):
    embedder = RecordingFake()
    core = make_core(embedder=embedder, retrieval={"focus_band": band})
    embedder.batches.clear()
    return core, embedder


def test_borderline_answers_are_rechecked_without_shared_words_in_one_second_batch(make_core):
    core, embedder = _setup(make_core, band=(-1.0, 1.0))  # every answered question is borderline
    retriever, cfg = core.serving.retriever, core.settings.retrieval
    questions = [QUESTION, "Which companies signed the Paris Call?", "electoral interference"]
    focused = [retriever.focus_text(q) for q in questions]
    assert focused[0] and focused[1] and focused[2] is None  # nothing to remove from the last
    ranked = rank_batch(retriever, embedder, [(q, 3) for q in questions], cfg)
    assert all(is_supported(r, cfg) for r in ranked)
    assert embedder.batches == [questions, focused[:2]]
    assert [r.evidence for r in ranked] == [r.top_dense for r in ranked]  # floor -1: nothing vetoed


def test_clear_cases_and_declined_questions_skip_the_recheck(make_core):
    core, embedder = _setup(make_core, band=(0.0, 0.0))
    rank_batch(core.serving.retriever, embedder, [(QUESTION, 3)], core.settings.retrieval)
    assert embedder.batches == [[QUESTION]]
    core, embedder = _setup(make_core, band=(-1.0, 1.0))
    declined = "Recipe for crème brûlée with vanilla, cream, sugar, eggs, and a blowtorch, in Paris"
    assert core.serving.retriever.focus_text(declined)
    [ranked] = rank_batch(core.serving.retriever, embedder, [(declined, 3)], core.settings.retrieval)
    assert not is_supported(ranked, core.settings.retrieval)
    assert embedder.batches == [[declined]]


def test_an_off_topic_question_saved_only_by_a_shared_word_is_declined(make_core):
    question = Question("Bake a cake in Paris")
    assert make_core(retrieval={"focus_band": (0.0, 0.0)}).ask(question).answered  # "Paris" alone
    assert not make_core().ask(question).answered  # the default band re-checks it without "Paris"


def test_a_focused_question_far_from_every_passage_is_declined(make_core):
    core = make_core(retrieval={"focus_band": (0.25, 0.45)})
    retriever, cfg = core.serving.retriever, core.settings.retrieval
    qvec = retriever.data.vectors[0]
    ranked = retriever.rank("Paris Call", qvec, 3)
    assert is_supported(ranked, cfg)
    unrelated = np.zeros_like(qvec)  # covers nothing: coverage 0 < the floor 0.25
    vetoed = retriever.with_focus(ranked, unrelated)
    assert vetoed.evidence == 0.0 and not is_supported(vetoed, cfg)
    assert retriever.with_focus(ranked, qvec) == ranked  # still covered: unchanged


@pytest.mark.parametrize("seed", range(5))
def test_best_sentences_matches_a_plain_loop(make_core, seed):
    core = make_core()
    retriever = core.serving.retriever
    data = retriever.data
    rng = np.random.default_rng(seed)
    count = len(data.passages)
    ids = np.sort(rng.choice(count, size=max(1, count // 3), replace=False)).astype(np.int64)
    qvec = rng.standard_normal(data.vectors.shape[1]).astype(np.float32)
    qvec /= np.linalg.norm(qvec)
    for candidate_ids in (ids, retriever._all_ids):
        sims, rows = retriever._best_sentences(candidate_ids, qvec, data.vectors[candidate_ids] @ qvec)
        for k, row in enumerate(candidate_ids.tolist()):
            own = np.flatnonzero(data.sentence_owner == row)
            if not len(own):
                assert rows[k] == -1
                continue
            scores = data.sentence_vectors[own] @ qvec
            assert rows[k] == own[int(np.argmax(scores))]
            assert sims[k] == pytest.approx(float(scores.max()), abs=1e-6)
