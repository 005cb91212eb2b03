"""The quality gate: a new index version must answer the check questions about as well
as the serving one, or it is not promoted. It asks through the answer pipeline the bot
serves with, so it measures what users get."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.answering.pipeline import AnswerPipeline
from bot.config import Settings
from bot.embedding.base import Embedder
from bot.errors import ConfigError
from bot.evaluation import EvalItem, load_eval, rank_of_hit
from bot.index.store import IndexData
from bot.principles import load_principles
from bot.retrieval.hybrid import HybridRetriever
from bot.types import Principle

log = logging.getLogger(__name__)


def hit_at_3(data: IndexData, items: list[EvalItem], embedder: Embedder, settings: Settings) -> float:
    """Share of on-topic questions with an answering passage in the top 3 of `data`."""
    on_topic = [item for item in items if not item.off_topic]
    if not on_topic or not data.passages:
        return 0.0
    retriever = HybridRetriever(data, settings.retrieval)
    pipeline = AnswerPipeline(settings.retrieval, embedder, lambda: _principles(settings))
    answers = pipeline.answer_batch(retriever, [(item.question, 3) for item in on_topic])
    hits = sum(rank_of_hit(answer, item.answers) is not None for item, answer in zip(on_topic, answers))
    return hits / len(on_topic)


def _principles(settings: Settings) -> tuple[Principle, ...]:
    """The principles the served answers use; a broken file must not stop the gate."""
    try:
        return load_principles(settings.principles_path)
    except ConfigError as err:
        log.warning("quality gate without the principles: %s", err)
        return ()


class QualityGate:
    """Callable for IndexManager.build_and_promote: returns a refusal sentence or None."""

    def __init__(self, settings: Settings, embedder: Embedder, serving: IndexData | None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.serving = serving
        self.scores: tuple[float, float] | None = None

    def _items(self) -> list[EvalItem]:
        path = Path(self.settings.knowledge_ops.quality_eval_file)
        if not path.is_file():
            log.warning("quality gate skipped: %s not found", path)
            return []
        return load_eval(path)

    def __call__(self, candidate: IndexData) -> str | None:
        items = self._items()
        if not items or self.serving is None:
            return None
        if self.serving.manifest.get("model_id") != self.embedder.model_id:
            log.info("quality gate skipped: the serving version was built with another model")
            return None  # its vectors cannot be compared with this model's questions
        before = hit_at_3(self.serving, items, self.embedder, self.settings)
        after = hit_at_3(candidate, items, self.embedder, self.settings)
        self.scores = (before, after)
        margin = self.settings.knowledge_ops.quality_max_hit3_drop
        if after < before - margin:
            return (
                f"the new index answers fewer check questions (hit@3 {after:.2f} against {before:.2f} now, "
                f"more than {margin:.2f} worse), so it was not promoted and the serving index is unchanged; "
                "check the new document, or use --force to promote anyway."
            )
        return None
