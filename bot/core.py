"""The bot core: the one object every adapter holds.

It knows nothing of chat platforms. It loads (or builds) the serving index version,
answers `Question`s with cited `Answer`s, lists principles and sources, and swaps in new
index versions without a restart; a question in flight keeps the version it started with.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import unicodedata
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Callable, Sequence

from bot.answer_cache import AnswerCache
from bot.answering.pipeline import AnswerPipeline
from bot.config import Settings
from bot.embedding.base import Embedder
from bot.errors import ConfigError, IndexCorruptError, QuestionError
from bot.index.builder import Progress
from bot.index.manager import IndexManager
from bot.index.store import IndexData, read_manifest
from bot.index.versions import VersionStore
from bot.principles import load_principles, pick
from bot.retrieval.hybrid import HybridRetriever
from bot.types import Answer, Principle, Question, SourceInfo

log = logging.getLogger(__name__)
Listener = Callable[[Question, Answer, float], None]
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}


@dataclass(frozen=True)
class Serving:
    """One index version with its search structures; replaced whole, never mutated."""

    data: IndexData
    retriever: HybridRetriever

    @property
    def version(self) -> str:
        return self.data.version


def clean_question(text: str, max_chars: int) -> str:
    """Normalise a question (NFKC, no control or zero-width characters) or refuse it."""
    if len(text) > max_chars * 4:
        raise QuestionError(f"Your question is {len(text):,} characters long; please keep it under {max_chars}.")
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if unicodedata.category(ch) in _INVISIBLE else ch for ch in text)
    text = " ".join(text.split())
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("Please ask a question in words: the message had no text I could read.")
    if len(text) > max_chars:
        raise QuestionError(f"Your question is {len(text):,} characters long; please keep it under {max_chars}.")
    return text


class BotCore:
    """Answers questions from the serving index; thread-safe, cheap to construct."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._serving: Serving | None = None
        self._swap_lock = threading.Lock()
        self._pointer_stamp: tuple[int, int] | None = None
        self._cache = AnswerCache(settings.retrieval.cache_size)
        self._listeners: list[Listener] = []
        self._watcher: threading.Thread | None = None
        self._stop_watch = threading.Event()

    # -- wiring -------------------------------------------------------------------------
    @cached_property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from bot.embedding.lazy import LazyEmbedder

            self._embedder = LazyEmbedder(self.settings.embedding, self.settings.index_path / "models")
        return self._embedder

    @cached_property
    def index(self) -> IndexManager:
        return IndexManager(self.settings, self.embedder)

    @cached_property
    def knowledge(self):
        """Admin operations (add, remove, rebuild, rollback) bound to this core."""
        from bot.knowledge.operations import KnowledgeOps

        return KnowledgeOps(self)

    def add_listener(self, listener: Listener) -> None:
        """Called after every answer with (question, answer, seconds): logs, metrics."""
        self._listeners.append(listener)

    # -- index lifecycle -----------------------------------------------------------------
    def start(self, progress: Progress | None = None) -> str | None:
        """Load the serving index, building it first if needed; returns the rebuild reason."""
        data, reason = self.index.load_or_build(progress)
        self.serve(data)
        return reason

    def serve(self, data: IndexData) -> None:
        """Swap in a version (after a build here, or one another process promoted)."""
        serving = Serving(data, HybridRetriever(data, self.settings.retrieval))
        with self._swap_lock:
            self._serving = serving
            self._pointer_stamp = self.index.store.pointer_stamp()
        self._cache.clear()
        log.info("serving index version %s (%d passages)", data.version, len(data.passages))

    @property
    def started(self) -> bool:
        return self._serving is not None

    @property
    def serving(self) -> Serving:
        serving = self._serving
        if serving is None:
            raise RuntimeError("BotCore.start() must run before questions are answered")
        return serving

    @property
    def index_version(self) -> str:
        return self.serving.version

    def reload_if_changed(self) -> bool:
        """Pick up a version promoted by another process (the CURRENT pointer moved)."""
        stamp = self.index.store.pointer_stamp()
        if stamp is None or stamp == self._pointer_stamp:
            return False
        current = self.index.store.current()
        if current is None or (self._serving and current == self._serving.version):
            self._pointer_stamp = stamp
            return False
        try:
            self.serve(self.index.load_current())
        except Exception as err:  # a damaged new version must not stop the serving one
            log.error("could not load index version %s, still serving the old one: %s", current, err)
            self._pointer_stamp = stamp
            return False
        return True

    def start_watcher(self) -> None:
        """Poll the CURRENT pointer in a daemon thread (long-running modes)."""
        if self._watcher is not None:
            return
        interval = self.settings.knowledge_ops.watch_interval_seconds

        def watch() -> None:
            while not self._stop_watch.wait(interval):
                self.reload_if_changed()

        self._watcher = threading.Thread(target=watch, name="callbot-index-watch", daemon=True)
        self._watcher.start()

    def stop_watcher(self) -> None:
        self._stop_watch.set()

    # -- answering -----------------------------------------------------------------------
    def ask(self, question: Question) -> Answer:
        """Answer one question (blocking: adapters use `ask_async`)."""
        return self.ask_many([question])[0]

    def ask_many(self, questions: Sequence[Question]) -> list[Answer]:
        """Answer several questions with one embedding batch (stdin mode, micro-batches).

        Each question is validated on its own: a bad one raises only if it is alone; in a
        batch its slot holds the QuestionError instead of an Answer.
        """
        started = time.perf_counter()
        serving = self.serving
        limit = self.settings.limits.max_question_chars
        results: list[Answer | QuestionError | None] = [None] * len(questions)
        todo: list[tuple[int, str, int]] = []
        for i, question in enumerate(questions):
            try:
                text = clean_question(question.text, limit)
            except QuestionError as err:
                if len(questions) == 1:
                    raise
                results[i] = err
                continue
            top_k = question.top_k or self.settings.retrieval.top_k
            cached = self._cache.get((text.casefold(), top_k, serving.version))
            if cached is not None:
                results[i] = replace(cached, question=question.text.strip())
            else:
                todo.append((i, text, top_k))
        if todo:
            for (i, _, _), answer in zip(todo, self._answer_batch(serving, [(t, k) for _, t, k in todo])):
                results[i] = replace(answer, question=questions[i].text.strip())
        seconds = (time.perf_counter() - started) / max(1, len(questions))
        for question, result in zip(questions, results):
            if isinstance(result, Answer):
                for listener in self._listeners:
                    try:
                        listener(question, result, seconds)
                    except Exception:  # a broken log or metric must never cost a user the answer
                        log.exception("answer listener %r failed", listener)
        return results  # type: ignore[return-value]

    @cached_property
    def batcher(self):
        from bot.batching import MicroBatcher

        cfg = self.settings.embedding
        return MicroBatcher(self._ask_batch, cfg.batch_size, cfg.max_batch_wait_ms)

    def _ask_batch(self, questions: Sequence[Question]) -> list:
        """ask_many for the batcher: a lone bad question comes back as its error."""
        try:
            return self.ask_many(questions)
        except QuestionError as err:
            return [err]

    def _answer_batch(self, serving: Serving, items: list[tuple[str, int]]) -> list[Answer]:
        """Answer a batch of cleaned questions with the answer pipeline, caching each answer."""
        answers = self._pipeline.answer_batch(serving.retriever, items)
        for (text, top_k), answer in zip(items, answers):
            self._cache.put((text.casefold(), top_k, serving.version), answer)
        return answers

    @cached_property
    def _pipeline(self) -> AnswerPipeline:
        return AnswerPipeline(self.settings.retrieval, self.embedder, self._principles_or_none)

    def _principles_or_none(self) -> tuple[Principle, ...]:
        """The principles for query expansion; a broken principles file must not stop answers."""
        try:
            return self._principles
        except ConfigError as err:
            log.warning("principles unavailable for questions naming them: %s", err)
            return ()

    async def ask_async(self, question: Question) -> Answer:
        """Answer off the event loop (in the micro-batcher's thread), so heartbeats and
        acks are never late; concurrent questions share one embedding batch."""
        return await asyncio.wrap_future(self.batcher.submit(question))

    # -- reference data ------------------------------------------------------------------
    @cached_property
    def _principles(self) -> tuple[Principle, ...]:
        return load_principles(self.settings.principles_path)

    def principles(self) -> tuple[Principle, ...]:
        return self._principles

    def principle(self, number: int) -> Principle:
        return pick(self._principles, number)

    def sources(self) -> list[SourceInfo]:
        """The documents of the serving version (or of the manifest, before start)."""
        if self._serving is not None:
            return sources_from_manifest(self._serving.data.manifest)
        store = VersionStore(self.settings.index_path)
        version = store.current()
        if version is None:
            raise IndexCorruptError("no index has been built yet; run `callbot index build`.")
        return sources_from_manifest(read_manifest(store.path(version)))


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
