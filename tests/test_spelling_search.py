"""Misspelled questions end to end on the fake embedder: searched, embedded and declined
as their corrected form, and the reply says how the question was read."""

from __future__ import annotations

import json

from bot.render.console import answer_plain
from bot.render.json_contract import answer_to_json
from bot.retrieval.batch import rank_batch
from bot.types import Question
from tests.fake_embedder import FakeEmbedder


class RecordingFake(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def embed_batch(self, texts):
        self.batches.append(list(texts))
        return super().embed_batch(texts)


def _ids(answer) -> list[str]:
    return [sp.passage.passage_id for sp in answer.passages]


def test_the_corrected_question_is_what_is_embedded_and_searched(make_core):
    embedder = RecordingFake()
    core = make_core(embedder=embedder)
    embedder.batches.clear()
    typo = core.ask(Question("who lanched the paris call"))
    assert embedder.batches[0] == ["who launched the paris call"]  # one embedding, corrected
    right = core.ask(Question("who launched the paris call"))
    assert typo.read_as == "who launched the paris call" and right.read_as == ""
    assert _ids(typo) == _ids(right) and typo.answered == right.answered
    assert typo.question == "who lanched the paris call"  # the user's words are kept


def test_a_misspelled_word_gets_its_lexical_hit(make_core):
    core = make_core()
    retriever, cfg = core.serving.retriever, core.settings.retrieval
    [ranked] = rank_batch(retriever, core.embedder, [("cyber hygene", 3)], cfg)
    assert "hygiene" in ranked.passages[0].passage.text.lower()
    tokens = retriever.lexical.tokens(ranked.read_as)
    assert ranked.read_as == "cyber hygiene" and retriever.lexical.scores(tokens).max() > 0
    top = int(retriever.lexical.scores(tokens).argmax())
    assert "hygiene" in retriever.data.passages[top].text.lower()


def test_a_typo_of_a_known_word_is_not_declined_as_an_unknown_one(make_core):
    core = make_core()
    retriever, cfg = core.serving.retriever, core.settings.retrieval
    [ranked] = rank_batch(retriever, core.embedder, [("What is hygene?", 3)], cfg)
    assert ranked.unknown_names == ()
    assert "hygene" not in core.ask(Question("What is hygene?")).message
    [unknown] = rank_batch(retriever, core.embedder, [("What is ransomware?", 3)], cfg)
    assert unknown.unknown_names == ("ransomware",)  # a word no document uses is still unknown


def test_the_reply_says_how_the_question_was_read(make_core):
    answer = make_core().ask(Question("principle about cyber hygene"))
    assert answer.read_as == "principle about cyber hygiene"
    assert json.loads(json.dumps(answer_to_json(answer)))["read_as"] == "principle about cyber hygiene"
    assert answer_plain(answer).splitlines()[0] == "(read as: principle about cyber hygiene)"
    plain = make_core().ask(Question("principle about cyber hygiene"))
    assert answer_to_json(plain)["read_as"] == "" and "read as" not in answer_plain(plain)
