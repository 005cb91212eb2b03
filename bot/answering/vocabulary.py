"""Whether the thing a "what is X" question asks about is something the documents name.

Chat questions are often lower-case, so the capitalised-name check cannot see an unknown
name ("what is the budapest convention"). A word of X that no document uses, and that is
not a misspelling of one of their words ("digtal"), means the documents do not discuss X:
an answer is then at best tentative.
"""

from __future__ import annotations

import difflib
import re
import threading
import weakref

from bot.retrieval.hybrid import HybridRetriever
from bot.retrieval.lexical import STOPWORDS

_WORD = re.compile(r"[a-z]{3,}")
_VOCABULARY: weakref.WeakKeyDictionary[HybridRetriever, frozenset[str]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
TYPO_CUTOFF = 0.8  # difflib ratio from which an unknown word counts as a misspelling of a known one


def _vocabulary(retriever: HybridRetriever) -> frozenset[str]:
    with _LOCK:
        words = _VOCABULARY.get(retriever)
        if words is None:
            words = frozenset(_WORD.findall(" ".join(f"{p.title} {p.text}" for p in retriever.data.passages).lower()))
            _VOCABULARY[retriever] = words
        return words


def unknown_words(phrase: str, retriever: HybridRetriever) -> tuple[str, ...]:
    """Words of `phrase` that no document uses and that misspell none of their words."""
    vocabulary = _vocabulary(retriever)
    found = []
    for word in dict.fromkeys(_WORD.findall(phrase.lower())):
        if word in STOPWORDS or word in vocabulary or retriever.lexical.knows(word):
            continue
        if not difflib.get_close_matches(word, vocabulary, n=1, cutoff=TYPO_CUTOFF):
            found.append(word)
    return tuple(found)
