"""The `callbot ask --json` contract: field names and types are relied on by scripts."""

from __future__ import annotations

from typing import Any

from bot.render.common import lead_citation
from bot.types import Answer


def answer_to_json(answer: Answer) -> dict[str, Any]:
    """{"question", "answered", "passages": [{text, score, title, publisher, date, source}]},
    passages best first, listed even when `answered` is false; then the one-line answer:
    `answer` (a sentence of the documents, "" when declined), `answer_span` (its part that
    answers, or ""), `answer_passage_id` ("" for a principle's wording from the principles
    file), `answer_citation` and `tentative` (borderline evidence); "read_as" is the question
    as corrected for spelling ("" when nothing was); "understood_as" how a follow-up was read
    with its conversation ("" when the conversation was not used); "language" the question's
    language ("en", "fr"), which the bot's own words in `message` follow. Extra keys may be
    added later; existing ones never change meaning."""
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
        "answer": answer.lead if answer.answered else "",
        "answer_span": answer.lead_span if answer.answered else "",
        "answer_passage_id": answer.lead_passage_id if answer.answered else "",
        "answer_citation": lead_citation(answer) if answer.answered and answer.lead else "",
        "tentative": bool(answer.answered and answer.tentative),
        "language": answer.language,
        "understood_as": answer.understood_as,
    }


def error_to_json(question: str, message: str) -> dict[str, Any]:
    """One line of the stdin batch mode for a question that was refused."""
    return {"question": question, "answered": False, "passages": [], "error": message}
