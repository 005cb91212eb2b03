"""Misspelled questions with the real model: they lead with the passage their correct
spelling leads with (the issue's two examples)."""

from __future__ import annotations

import shutil

import pytest

from bot.config import Settings
from bot.core import BotCore
from bot.types import Question
from tests.conftest import KNOWLEDGE

pytestmark = pytest.mark.real_model


@pytest.fixture(scope="module")
def core(tmp_path_factory) -> BotCore:
    root = tmp_path_factory.mktemp("spelling-real")
    shutil.copytree(KNOWLEDGE, root / "knowledge")
    settings = Settings.model_validate({"knowledge_dir": str(root / "knowledge"), "index_dir": str(root / "index")})
    core = BotCore(settings)
    core.start()
    return core


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("cyber hygene", "cyber hygiene"), ("who lanched the paris call", "who launched the paris call")],
)
def test_a_misspelled_question_leads_with_the_passage_of_its_correct_spelling(core, typed, meant):
    typo, right = core.ask(Question(typed)), core.ask(Question(meant))
    assert right.answered and typo.answered
    assert typo.passages[0].passage.passage_id == right.passages[0].passage.passage_id
    assert typo.read_as == meant and right.read_as == ""
