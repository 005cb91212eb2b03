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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from bot.answer_cache import AnswerCache
from bot.answering.pipeline import AnswerPipeline
from bot.config import Settings
from bot.embedding.base import Embedder
from bot.errors import ConfigError, IndexCorruptError, QuestionError
from bot.index.background import BackgroundRebuild
from bot.index.builder import Progress
from bot.index.manager import IndexManager
from bot.index.store import IndexData, read_manifest, sources_from_manifest
from bot.index.versions import VersionStore
from bot.principles import load_principles, pick
from bot.questions import clean_question
from bot.retrieval.hybrid import HybridRetriever
from bot.types import Answer, Principle, Question, SourceInfo, Turn

log = logging.getLogger(__name__)
Listener = Callable[[Question, Answer, float], None]


@dataclass(frozen=True)
class Serving:
    """One index version with its search structures; replaced whole, never mutated."""

    data: IndexData
    retriever: HybridRetriever

    @property
    def version(self) -> str:
        return self.data.version


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
        # An audited, gated rebuild (set by the knowledge wiring); called with "lock held?".
        self.rebuilder: Callable[[bool], object] | None = None
        self.stale: str | None = None  # why the serving version is stale, if it is
        self._background = BackgroundRebuild(self._rebuild_now, lambda: self.index_version)
        # Started with the watcher: each gets `reload_if_changed` to call when told a new
        # version was promoted (e.g. a Redis notice from another replica) instead of polling.
        self.reload_triggers: list[Callable[[Callable[[], bool]], None]] = []

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

    def add_listener(self, listener: Listener) -> None:
        """Called after every answer with (question, answer, seconds): logs, metrics."""
        self._listeners.append(listener)

    # -- index lifecycle -----------------------------------------------------------------
    def start(self, progress: Progress | None = None, background: bool = False) -> str | None:
        """Serve the last good index version at once (after settling an operation a crash cut
        short); returns why one was built first, which happens only when none can serve.
        A stale version serves with a warning; `background` rebuilds it beside (long-running
        modes), else `index build` is left to do it."""
        self.index.recover()
        loaded = self.index.load_or_build(progress, build=self._build_first)
        self.serve(loaded.data)
        self.stale = loaded.stale
        if loaded.stale:
            log.warning(
                "the index is stale (%s); answering from version %s until it is rebuilt%s",
                loaded.stale,
                loaded.data.version,
                " (rebuilding in the background)" if background else " (run `callbot index build`)",
            )
            if background:
                self.rebuild_in_background()
        return loaded.rebuilt

    def _build_first(self) -> IndexData:
        """Under the lock load_or_build holds: the audited build if one is wired, else plain."""
        if self.rebuilder is None:
            return self.index.build_and_promote(locked=True).data
        self.rebuilder(True)  # serves the new version itself
        return self.serving.data

    def rebuild_in_background(self) -> threading.Thread:
        """Rebuild beside the serving version (or join the rebuild already running)."""
        return self._background.start()

    def _rebuild_now(self) -> None:
        if self.rebuilder is not None:
            self.rebuilder(False)  # audited and gated; serves the new version itself
        else:
            self.serve(self.index.build_and_promote(previous=self.serving.data).data)
        self.stale = None

    def serve(self, data: IndexData) -> None:
        """Swap in a version (after a build here, or one another process promoted)."""
        wording = [f"{p.title}\n{p.text}" for p in self._principles_or_none()]
        serving = Serving(data, HybridRetriever(data, self.settings.retrieval, wording))
        with self._swap_lock:
            self._serving = serving
            self._pointer_stamp = self.index.store.pointer_stamp()
        self._cache.clear()
        log.info("serving index version %s (%d passages)", data.version, len(data.passages))

    def serving_data(self) -> IndexData | None:
        """The version being served, or None before start-up."""
        serving = self._serving
        return serving.data if serving is not None else None

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
        for trigger in self.reload_triggers:
            trigger(self.reload_if_changed)

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
        keep = self.settings.conversation.max_turns
        contexts = {i: _last(q.context, keep) for i, q in enumerate(questions) if q.context}
        for i, question in enumerate(questions):
            try:
                text = clean_question(question.text, limit)
            except QuestionError as err:
                if len(questions) == 1:
                    raise
                results[i] = err
                continue
            top_k = question.top_k or self.settings.retrieval.top_k
            cached = self._cache.get(_cache_key(text, top_k, serving.version, contexts.get(i, ())))
            if cached is not None:
                results[i] = replace(cached, question=question.text.strip())
            else:
                todo.append((i, text, top_k))
        if todo:
            turns = [contexts.get(i, ()) for i, _, _ in todo]
            for (i, _, _), answer in zip(todo, self._search_and_compose(serving, [(t, k) for _, t, k in todo], turns)):
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
        return MicroBatcher(self._ask_many_errors_inline, cfg.batch_size, cfg.max_batch_wait_ms)

    def _ask_many_errors_inline(self, questions: Sequence[Question]) -> list:
        """ask_many for the batcher: a lone bad question comes back as its error."""
        try:
            return self.ask_many(questions)
        except QuestionError as err:
            return [err]

    def _search_and_compose(
        self, serving: Serving, items: list[tuple[str, int]], contexts: list[tuple[Turn, ...]] | None = None
    ) -> list[Answer]:
        """Answer a batch of cleaned questions with the answer pipeline, caching each answer."""
        contexts = contexts or [()] * len(items)
        answers = self._pipeline.answer_batch(serving.retriever, items, contexts)
        for (text, top_k), context, answer in zip(items, contexts, answers):
            self._cache.put(_cache_key(text, top_k, serving.version, context), answer)
        return answers

    @cached_property
    def _pipeline(self) -> AnswerPipeline:
        from bot.answering.crosslingual import make_crosslingual

        cross = make_crosslingual(
            self.settings.embedding.multilingual_model,
            self.settings.retrieval.multilingual_weight,
            self.index.store.path,
        )
        return AnswerPipeline(self.settings.retrieval, self.embedder, self._principles_or_none, cross)

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


def _cache_key(text: str, top_k: int, version: str, context: tuple[Turn, ...]) -> tuple:
    """A follow-up's answer depends on its conversation; a lone question's key is unchanged."""
    key: tuple = (text.casefold(), top_k, version)
    return (*key, context) if context else key


def _last(context: tuple[Turn, ...], turns: int) -> tuple[Turn, ...]:
    """The conversation's last `turns` turns (none when 0)."""
    return context[-turns:] if turns else ()
