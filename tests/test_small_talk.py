"""Greetings, thanks, "who are you" and requests to invent something are not searched."""

from __future__ import annotations

import json

import pytest

from bot.retrieval.small_talk import REPLIES, small_talk
from bot.types import Question


@pytest.mark.parametrize(
    "message, kind",
    [
        ("hello", "greeting"),
        ("Hi!", "greeting"),
        ("hey callbot", "greeting"),
        ("Good morning everyone", "greeting"),
        ("how are you?", "greeting"),
        ("thanks!", "thanks"),
        ("Thank you so much.", "thanks"),
        ("ok thanks", "thanks"),
        ("merci beaucoup", "thanks"),
        ("who are you?", "identity"),
        ("What can you do?", "identity"),
        ("are you a bot?", "identity"),
        ("Tell me a joke about hackers", "creative"),
        ("Write a poem about cyberspace", "creative"),
        ("Sing me a song about the internet", "creative"),
        ("Tell me a funny story about Macron", "creative"),
        ("could you write me a limerick on hack-back", "creative"),
    ],
)
def test_small_talk_is_recognised(message, kind):
    assert small_talk(message) == kind


@pytest.mark.parametrize(
    "question",
    [
        "Hi, who launched the Paris Call?",  # a greeting in front of a question is a question
        "thanks, and who signed it?",
        "Hello, what is principle 8?",
        "Tell me the story of the Paris Call",  # its history, not fiction
        "Tell me about the Call",
        "What can you tell me about hack-back?",
        "Who wrote the joke?",
        "give me the principles",
        "What is the Call's song and dance about norms?",
    ],
)
def test_questions_are_not_small_talk(question):
    assert small_talk(question) is None


def test_the_core_replies_without_searching(make_core, fake_embedder):
    core = make_core(embedder=fake_embedder)
    calls = fake_embedder.calls
    for message, kind in (("hello", "greeting"), ("thanks!", "thanks"), ("Tell me a joke about hackers", "creative")):
        answer = core.ask(Question(message))
        assert not answer.answered
        assert answer.message == REPLIES[kind]
        assert answer.passages == ()
        assert answer.suggestion_kind == "topics"  # renderers add what the bot can answer instead
    assert fake_embedder.calls == calls  # nothing was embedded for them


def test_small_talk_in_the_json_contract(make_core):
    from bot.render.json_contract import answer_to_json

    obj = json.loads(json.dumps(answer_to_json(make_core().ask(Question("hello")))))
    assert obj["question"] == "hello" and obj["answered"] is False and obj["passages"] == []
