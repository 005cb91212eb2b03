"""Cleaning a question before it is answered: one normal form, or one polite refusal."""

from __future__ import annotations

import unicodedata

from bot.errors import QuestionError

_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}


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
