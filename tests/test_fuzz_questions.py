"""Property-based: whatever people type, the question path ends in an Answer or exactly one
QuestionError, and the ops pieces around it (metrics, question log, feedback) never raise."""

from __future__ import annotations

import asyncio
import io
import logging
import string

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.errors import CallbotError, QuestionError
from bot.logging_setup import JsonFormatter
from bot.ops.feedback import FeedbackStore
from bot.ops.metrics import Metrics
from bot.ops.question_log import LOGGER_NAME, QuestionLog
from bot.types import Actor, Answer, Question

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ACTOR = Actor("fuzz", "user-1", "Fuzzer")
SPECIALS = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",  # zero-width
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",  # controls, separators
    "\ud800",
    "\udfff",  # lone surrogates (possible in strings decoded from platform JSON)
    "\u0301\u0301\u0301",
    "\ufdfa",
    "\u3316",
    "\ufb03",  # combining marks; NFKC expansions
    "🇫🇷",
    "👩‍💻",
    "ﷲ",
    "Paris Call",
    "cyber",
    "norms",
    "?",
    "%s%n{0}",
    "<@123>",
    "`code`",
]
any_char = st.characters(exclude_categories=())  # every code point, surrogates included
questions = st.one_of(
    st.text(any_char, max_size=300),
    st.lists(st.one_of(st.sampled_from(SPECIALS), st.text(any_char, max_size=5)), max_size=40).map("".join),
)


class StrictUtf8Handler(logging.Handler):
    """Formats with the bot's JSON formatter and encodes strictly, keeping any failure."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.stream = io.BytesIO()
        self.lines = 0
        self.failures: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record).encode("utf-8") + b"\n")
            self.lines += 1
        except Exception as err:  # what a real stderr stream would turn into a lost line
            self.failures.append(repr(err))


@pytest.fixture
def wired(make_core, tmp_path):
    """A core with metrics, question log (full text, strict UTF-8 sink) and feedback attached."""
    core = make_core()
    metrics = Metrics()
    metrics.attach(core)
    QuestionLog("full").attach(core)
    handler = StrictUtf8Handler()
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield core, metrics, FeedbackStore(tmp_path / "fb.sqlite3", salt="fuzz"), handler
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def outcome(core, text: str) -> Answer | QuestionError:
    """The property itself: an Answer, or exactly one QuestionError with a sentence."""
    try:
        answer = core.ask(Question(text, ACTOR))
    except QuestionError as err:
        assert type(err) is QuestionError and str(err).endswith(".")
        return err
    assert isinstance(answer, Answer)
    assert answer.index_version == core.index_version and isinstance(answer.passages, tuple)
    assert answer.answered or answer.message
    return answer


@FUZZ
@given(text=questions)
@example(text="")
@example(text="\u200b\u200f\u202e")
@example(text="a" * 100_000)
@example(text=string.punctuation * 3)
@example(text="What is the \ud800 Paris Call?")
def test_any_question_ends_in_an_answer_or_one_question_error(wired, text: str) -> None:
    core, metrics, store, log_sink = wired
    lines = log_sink.lines
    result = outcome(core, text)
    if isinstance(result, Answer):
        answer_id = store.record_answer(result, "fuzz", text[:50])
        assert "Thanks" in store.vote(answer_id, "fuzz", text[:50], False)
    else:
        metrics.observe_answer("fuzz", "refused")
        QuestionLog("truncated").log("fuzz", "refused", None, text)
    assert log_sink.failures == [] and log_sink.lines == lines + 1  # exactly one line per question


@FUZZ
@given(text=st.text(alphabet=string.punctuation + string.whitespace, max_size=200))
def test_only_punctuation_is_refused(wired, text: str) -> None:
    core = wired[0]
    with pytest.raises(QuestionError):
        core.ask(Question(text, ACTOR))


@FUZZ
@given(text=st.text(st.characters(categories=["P", "S", "Z", "M", "C"], exclude_characters=""), max_size=100))
def test_symbol_soup_never_raises_anything_else(wired, text: str) -> None:
    outcome(wired[0], text)


@FUZZ
@given(batch=st.lists(questions, min_size=2, max_size=6))
def test_batched_and_async_paths_keep_errors_per_question(wired, batch: list[str]) -> None:
    """In a batch a bad question's slot holds its error (a lone one raises, as documented)."""
    core = wired[0]
    results = core.ask_many([Question(t, ACTOR) for t in batch])
    assert len(results) == len(batch)
    for result in results:
        assert isinstance(result, (Answer, QuestionError))
    try:
        asyncio.run(core.ask_async(Question(batch[0], ACTOR)))
    except QuestionError:
        pass


def test_a_100k_question_with_the_largest_allowed_limit(make_core) -> None:
    limit = Settings.model_fields["limits"].annotation.model_fields["max_question_chars"].metadata[1].le
    core = make_core(limits={"max_question_chars": limit})
    for text in ("a" * 100_000, ("Paris Call cyber norms " * 5000)[:100_000], "\ufdfa" * 6_000):
        assert isinstance(outcome(core, text), (Answer, QuestionError))


def test_question_errors_are_callbot_errors() -> None:
    assert issubclass(QuestionError, CallbotError)
