"""What text of a passage is embedded: the passage without its headings, and the sentences
that may be marked as its answer.

These are ingestion rules, not index mechanics: the builder embeds what this module
returns, and a change here changes every vector (bump `INGEST_VERSION` in
`bot/index/sources.py` so cached vectors are not reused across rules).
"""

from __future__ import annotations

from bot.ingest.sentences import Unit, split_units


def is_answer_unit(unit: Unit) -> bool:
    """Headings, captions and list intros ("... committed to:") name a topic but answer
    nothing; letting them be a passage's best sentence ranks titles above answers."""
    text = unit.text.strip()
    if not text or text.endswith(":") or unit.kind == "heading":
        return False
    if unit.kind == "bullet":
        return len(text.split()) >= 3
    return len(text.split()) >= 5 and text[-1] in '.!?;"”’)'


def answer_sentences(text: str) -> list[str]:
    """The sentences of a passage that may be marked as its answer (all, if none qualify)."""
    units = split_units(text)
    eligible = [u.text for u in units if is_answer_unit(u)]
    return eligible or [u.text for u in units]


def embedding_text(text: str) -> str:
    """A passage as it is embedded: without its headings (the text shown is unchanged).

    A title or dateline names a document's subject, not an answer; embedded with the first
    passage it makes that passage look like a match for any question naming the subject
    (the retrieval gain is in docs/performance.md).
    """
    units = split_units(text)
    kept = [u.prefix + u.text for u in units if u.kind != "heading"]
    return "\n".join(kept) if kept else text
