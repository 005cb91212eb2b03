"""FeedbackStore: votes once per user, vote changes, salted user hashes, rates and gaps."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.config import Settings
from bot.ops.feedback import UNKNOWN_ANSWER, FeedbackStore, feedback_db_path, open_feedback_store
from bot.ops.metrics import Metrics
from bot.types import Answer, Passage, ScoredPassage
from tests.fake_embedder import FakeEmbedder

DAY = 86_400.0
T0 = 1_750_000_000.0  # 2025-06-15 15:06:40 UTC


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def answer(
    question: str = "What is the Paris Call?",
    answered: bool = True,
    version: str = "v1",
    passages: tuple[str, ...] = ("doc:0001:aa",),
) -> Answer:
    scored = tuple(
        ScoredPassage(Passage(pid, "doc", i, "text", "Title", "Pub", "2018", "src"), 0.9, "text")
        for i, pid in enumerate(passages)
    )
    return Answer(question=question, answered=answered, passages=scored, index_version=version)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> FeedbackStore:
    return FeedbackStore(tmp_path / "feedback.sqlite3", salt="test-salt", clock=clock)


def test_answer_ids_are_short_and_unique(store: FeedbackStore) -> None:
    ids = {store.record_answer(answer(), "discord", "u1") for _ in range(50)}
    assert len(ids) == 50
    assert all(0 < len(i) <= 40 and ":" not in i for i in ids)


def test_repeated_clicks_count_once(store: FeedbackStore) -> None:
    aid = store.record_answer(answer(), "slack", "U1")
    assert store.vote(aid, "slack", "U2", True) == "Thanks — noted as helpful."
    second = store.vote(aid, "slack", "U2", True)
    assert "already" in second and "helpful" in second
    [row] = store.helpful_rate_by_day_and_version()
    assert (row.answers, row.helpful, row.not_helpful, row.votes) == (1, 1, 0, 1)


def test_second_click_changes_the_vote(store: FeedbackStore) -> None:
    aid = store.record_answer(answer(), "slack", "U1")
    store.vote(aid, "slack", "U1", True)
    assert store.vote(aid, "slack", "U1", False) == "Thanks — changed your vote to not helpful."
    [row] = store.helpful_rate_by_day_and_version()
    assert (row.helpful, row.not_helpful) == (0, 1)
    assert store.vote(aid, "slack", "U1", True) == "Thanks — changed your vote to helpful."


def test_votes_are_per_user_and_per_platform(store: FeedbackStore) -> None:
    aid = store.record_answer(answer(), "discord", "42")
    store.vote(aid, "discord", "42", True)
    store.vote(aid, "discord", "43", False)
    store.vote(aid, "slack", "42", False)  # same id string on another platform: another person
    [row] = store.helpful_rate_by_day_and_version()
    assert (row.helpful, row.not_helpful) == (1, 2)
    assert row.helpful_rate == pytest.approx(1 / 3)


def test_unknown_answer_id_gets_a_polite_sentence(store: FeedbackStore) -> None:
    assert store.vote("nope", "discord", "1", True) == UNKNOWN_ANSWER
    assert UNKNOWN_ANSWER.endswith(".")
    assert store.helpful_rate_by_day_and_version() == []


def test_raw_user_ids_are_never_stored(tmp_path: Path) -> None:
    path = tmp_path / "fb.sqlite3"
    store = FeedbackStore(path, salt="pepper")
    user = "U0SECRETUSER77"
    aid = store.record_answer(answer(), "slack", user)
    store.vote(aid, "slack", user, False)
    blobs = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert user.encode() not in blobs
    assert store.user_hash("slack", user).encode() in blobs  # the hash is what is stored
    assert b"What is the Paris Call?" in blobs  # sanity: the scan does see the data


def test_hashes_are_salted_and_stable(tmp_path: Path) -> None:
    a = FeedbackStore(tmp_path / "a.sqlite3", salt="one")
    b = FeedbackStore(tmp_path / "b.sqlite3", salt="two")
    assert a.user_hash("slack", "U1") != b.user_hash("slack", "U1")
    assert a.user_hash("slack", "U1") == FeedbackStore(tmp_path / "a.sqlite3", salt="one").user_hash("slack", "U1")
    assert len(a.user_hash("slack", "U1")) == 64


def test_without_a_salt_one_is_generated_and_persisted(tmp_path: Path) -> None:
    first = FeedbackStore(tmp_path / "x.sqlite3")
    again = FeedbackStore(tmp_path / "x.sqlite3")
    other = FeedbackStore(tmp_path / "y.sqlite3")
    assert first.user_hash("discord", "9") == again.user_hash("discord", "9")
    assert first.user_hash("discord", "9") != other.user_hash("discord", "9")
    aid = first.record_answer(answer(), "discord", "9")
    first.vote(aid, "discord", "9", True)
    assert "already" in again.vote(aid, "discord", "9", True)  # the reopened store knows the user


def test_salt_comes_from_the_named_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(index_dir=str(tmp_path / "index"), feedback={"salt_env": "MY_FEEDBACK_SALT"})
    monkeypatch.setenv("MY_FEEDBACK_SALT", "from-env")
    store = open_feedback_store(settings)
    assert store.path == tmp_path / "index" / "feedback.sqlite3"
    same_salt = FeedbackStore(tmp_path / "other.db", salt="from-env")
    assert store.user_hash("slack", "U1") == same_salt.user_hash("slack", "U1")
    assert b"from-env" not in store.path.read_bytes()  # an env salt is a secret: not persisted


def test_db_path_from_config(tmp_path: Path) -> None:
    assert feedback_db_path(Settings(feedback={"db": str(tmp_path / "f.db")})) == tmp_path / "f.db"


def test_declined_answers_are_kept_and_rates_split_by_day_and_version(store: FeedbackStore, clock: Clock) -> None:
    a1 = store.record_answer(answer(version="v1"), "discord", "1")
    store.record_answer(answer("Weather in Paris?", answered=False, version="v1"), "discord", "2")
    store.vote(a1, "discord", "1", True)
    clock.now += DAY
    a2 = store.record_answer(answer(version="v2"), "slack", "1")
    a3 = store.record_answer(answer(version="v2"), "slack", "2")
    store.vote(a2, "slack", "1", False)
    store.vote(a3, "slack", "2", True)
    store.vote(a3, "slack", "3", True)
    rows = store.helpful_rate_by_day_and_version()
    assert [(r.day, r.index_version, r.answers, r.declined, r.helpful, r.not_helpful) for r in rows] == [
        ("2025-06-15", "v1", 2, 1, 1, 0),
        ("2025-06-16", "v2", 2, 0, 2, 1),
    ]
    assert rows[1].helpful_rate == pytest.approx(2 / 3)


def test_gaps_group_similar_questions_most_frequent_first(store: FeedbackStore) -> None:
    declined = [
        "What is the budget of the Paris Call?",
        "what is the Paris Call budget",
        "Paris Call budget?",
        "How big is the Paris Call budget this year",
        "Who funds cyber norms research?",
    ]
    for q in declined:
        store.record_answer(answer(q, answered=False), "discord", "u")
    good = store.record_answer(answer("Who signed the Paris Call?"), "discord", "u")
    store.vote(good, "discord", "u", True)
    bad = store.record_answer(answer("Which companies fund cyber norms research?"), "slack", "v")
    store.vote(bad, "slack", "v", False)
    store.record_answer(answer("When was it launched?"), "slack", "w")  # answered, no vote

    gaps = store.gaps(FakeEmbedder(), limit=20, threshold=0.75)
    assert [g.count for g in gaps] == [4, 1, 1]
    top = gaps[0]
    assert "budget" in top.question.lower() and len(top.variants) == 3
    assert {top.question, *top.variants} == set(declined[:4])
    assert (top.declined, top.not_helpful) == (4, 0)
    asked = {g.question for g in gaps}
    assert "Which companies fund cyber norms research?" in asked
    assert "Who signed the Paris Call?" not in asked and "When was it launched?" not in asked
    assert len(store.gaps(FakeEmbedder(), limit=1)) == 1


def test_gaps_threshold_controls_grouping(store: FeedbackStore) -> None:
    for q in ("Paris Call budget", "Paris Call budget this year 2024", "Paris Call budget"):
        store.record_answer(answer(q, answered=False), "discord", "u")
    assert [g.count for g in store.gaps(FakeEmbedder(), threshold=0.6)] == [3]
    assert [g.count for g in store.gaps(FakeEmbedder(), threshold=0.99)] == [2, 1]


def test_no_gaps_without_bad_answers(store: FeedbackStore) -> None:
    store.record_answer(answer(), "discord", "u")
    embedder = FakeEmbedder()
    assert store.gaps(embedder) == []
    assert embedder.calls == 0


def test_metrics_count_new_and_changed_votes_not_repeats(store: FeedbackStore) -> None:
    metrics = Metrics()
    metrics.attach_feedback(store)
    aid = store.record_answer(answer(), "discord", "u")
    for _ in range(3):
        store.vote(aid, "discord", "u", True)
    store.vote(aid, "discord", "u", False)
    store.vote("unknown", "discord", "u", False)
    sample = metrics.registry.get_sample_value
    assert sample("callbot_feedback_total", {"vote": "helpful"}) == 1
    assert sample("callbot_feedback_total", {"vote": "not_helpful"}) == 1


def test_concurrent_votes_from_threads(store: FeedbackStore) -> None:
    aid = store.record_answer(answer(), "discord", "u")

    def click(user: int) -> None:
        for i in range(10):
            store.vote(aid, "discord", str(user), i % 2 == 0)

    threads = [threading.Thread(target=click, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    [row] = store.helpful_rate_by_day_and_version()
    assert (row.helpful, row.not_helpful) == (0, 8)  # each user's last click was "not helpful"
