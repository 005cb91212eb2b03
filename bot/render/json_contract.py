"""The `callbot ask --json` contract: field names and types are relied on by scripts."""

from __future__ import annotations

from typing import Any

from bot.types import Answer


def answer_to_json(answer: Answer) -> dict[str, Any]:
    """{"question", "answered", "passages": [{text, score, title, publisher, date, source}]},
    passages best first, listed even when `answered` is false; "read_as" is the question as
    corrected for spelling ("" when nothing was). Extra keys may be added later; existing
    ones never change meaning."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "passages": [
            {
                "text": sp.passage.text,
                "score": float(sp.score),
                "title": sp.passage.title,
                "publisher": sp.passage.publisher,
                "date": sp.passage.date,
                "source": sp.passage.source,
                "best_sentence": sp.best_sentence,
                "passage_id": sp.passage.passage_id,
            }
            for sp in answer.passages
        ],
        "index_version": answer.index_version,
        "message": answer.message,
        "read_as": answer.read_as,
    }


def error_to_json(question: str, message: str) -> dict[str, Any]:
    """One line of the stdin batch mode for a question that was refused."""
    return {"question": question, "answered": False, "passages": [], "error": message}
