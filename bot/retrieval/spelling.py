"""Read a misspelled question as the words it meant: "cyber hygene" as "cyber hygiene".

A word the documents never use matches no passage in BM25, and a misspelled word pulls the
question's embedding away from the passages that use the right one, so "who lanched the
paris call" misses what "who launched the paris call" finds. The corrector is built once per
index version when it loads, from the knowledge base's own vocabulary (passage texts and
titles, the principles' wording); nothing is precomputed beyond the word counts: rapidfuzz
compares an unknown word with the documents' words of a near length, and its English
neighbours are found by generating its one-edit variants, only for the rare word that needs
it (then cached).

Only a word that is neither the documents' nor a real English word is changed. Candidates are
at edit distance 1 (2 for long words; a swap of two neighbours counts one), the nearest first,
then in this order:
1. a word of the documents, the one most passages use first;
2. an English word with the stem of a word of the documents ("joining" where they say
   "join"): BM25 reads it as that stem;
3. for words of five letters or more, a common English word ("framework"): it matches no
   passage by itself, but no longer pulls the embedding away from the right ones.

Never changed:
- a word the documents use, in any case, or one with the same stem ("launches" for "launch");
- an English word (the frequency dictionary symspellpy ships, built from SCOWL and Google
  Books): "laid" is not a misspelling of "said" just because the documents never use it;
- numbers and words with digits ("NIS2"), acronyms (all capitals), mixed-case names
  ("SolarWinds"), words of three letters or fewer or of more than thirty, and shouted
  questions (all capitals);
- a capitalised word inside a sentence is read as a name: it may only become a name of the
  documents ("Pairs Call" as "Paris Call", though "pairs" is English), never an ordinary
  word ("Donald Tusk" stays, whatever the documents say about a task);
- a word with no candidate close enough.
The user's capitalisation is kept.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from importlib.resources import files

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.retrieval.lexical import STOPWORDS

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[^\W_]+")
_LETTERS = re.compile(r"[^\W\d_]+")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
MIN_LENGTH = 4  # shorter words have too many neighbours to guess from
LONG_WORD = 8  # from this length, two edits are allowed
MAX_LENGTH = 30  # longer "words" (pasted hashes, keyboard mashing) are left alone, cheaply
_ENGLISH = "frequency_dictionary_en_82_765.txt"
COMMON = 1_000_000  # tier 3: at least this count in the dictionary ("framework")
FALLBACK_LENGTH = 5  # tier 3: shorter words ("orgs", "whos") are too often slang


class EnglishWords:
    """symspellpy's English frequency dictionary: word -> count."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts

    def __contains__(self, word: str) -> bool:
        return word in self.counts


@cache
def english_words() -> EnglishWords:
    """Read once per process, on the first word that needs it (not at start-up)."""
    text = files("symspellpy").joinpath(_ENGLISH).read_text(encoding="utf-8")
    counts: dict[str, int] = {}
    for line in text.splitlines():
        word, _, count = line.partition(" ")
        if word.isalpha():
            counts[word] = int(count)
    return EnglishWords(counts)


class Speller:
    """A word -> passage-count vocabulary and the rules above; immutable once built."""

    def __init__(
        self,
        texts: Iterable[str],
        known: Callable[[str], bool] | None = None,
        english: EnglishWords | None = None,
    ) -> None:
        """`texts` are the passages (or any text the documents' wording comes from); `known`
        says whether a word is known another way (the lexical index's stems); `english`
        is the list of real words (default: `english_words()`, loaded when first needed)."""
        counts: Counter[str] = Counter()
        capitalised: set[str] = set()
        for text in texts:
            counts.update({w.casefold() for w in _LETTERS.findall(text)})
            for match in _LETTERS.finditer(text):
                word = match.group()
                if word[0].isupper() and not _starts_sentence(text, match.start()):
                    capitalised.add(word.casefold())
        self._counts = dict(counts)
        self._known = known or (lambda word: False)
        self._given_english = english
        # Names: words the documents capitalise inside a sentence ("Paris", "Forum"; not
        # "While", capitalised only where a sentence starts).
        self._names = frozenset(capitalised)
        by_length: dict[int, list[str]] = {}
        for word in sorted(self._counts):
            if len(word) >= MIN_LENGTH - 1 and word not in STOPWORDS:
                by_length.setdefault(len(word), []).append(word)
        self._by_length = by_length
        self._closest = lru_cache(maxsize=4096)(self._find_closest)

    @property
    def _english(self) -> EnglishWords:
        return self._given_english if self._given_english is not None else english_words()

    @property
    def vocabulary_size(self) -> int:
        return len(self._counts)

    def knows(self, word: str) -> bool:
        """Whether the documents use `word` (any case) or a word with its stem."""
        folded = word.casefold()
        return folded in self._counts or self._known(folded)

    def correct(self, text: str) -> str:
        """`text` with each misspelled word replaced (unchanged when nothing is)."""
        if not any(ch.islower() for ch in text):
            return text  # shouted: names and acronyms cannot be told from other words

        def fix(match: re.Match[str]) -> str:
            word = match.group()
            as_name = word[0].isupper() and not _starts_sentence(text, match.start())
            return self.correct_word(word, as_name)

        corrected = _TOKEN.sub(fix, text)
        if corrected != text:
            log.debug("read %r as %r", text, corrected)
        return corrected

    def correct_word(self, word: str, as_name: bool = False) -> str:
        """One word, corrected or as it was; `as_name`: capitalised inside a sentence."""
        if (
            not MIN_LENGTH <= len(word) <= MAX_LENGTH
            or not word.isalpha()
            or word.isupper()
            or any(c.isupper() for c in word[1:])
        ):
            return word
        if self.knows(word) or (not as_name and word.casefold() in self._english):
            return word
        found = self._closest(word.casefold(), as_name)
        if found is None:
            return word
        return found.capitalize() if word[0].isupper() else found

    def _find_closest(self, word: str, as_name: bool) -> str | None:
        """The nearest candidate; at equal distance, by tier (see the module), then the
        most passages or the most common."""
        limit = 2 if len(word) >= LONG_WORD else 1
        best: tuple[int, int, int, str] | None = None
        for length in range(len(word) - limit, len(word) + limit + 1):
            for candidate, distance in _near(word, self._by_length.get(length), limit):
                if as_name and candidate not in self._names:
                    continue
                key = (distance, 0, -self._counts[candidate], candidate)
                best = key if best is None or key < best else best
        if as_name or (best is not None and best[0] <= 1):
            return best[3] if best else None
        english = self._english.counts
        for candidate in one_edit(word) & english.keys():
            if candidate in STOPWORDS:
                continue
            if self._known(candidate):
                tier = 1
            elif len(word) >= FALLBACK_LENGTH and word.isascii() and english[candidate] >= COMMON:
                tier = 2
            else:
                continue
            key = (1, tier, -english[candidate], candidate)
            best = key if best is None or key < best else best
        return best[3] if best else None


def _near(word: str, choices: list[str] | None, limit: int) -> list[tuple[str, int]]:
    """The choices within `limit` edits of `word` (adjacent swaps count one)."""
    if not choices:
        return []
    found = process.extract(word, choices, scorer=OSA.distance, score_cutoff=limit, limit=None)
    return [(candidate, int(distance)) for candidate, distance, _ in found]


def one_edit(word: str) -> set[str]:
    """Every string one edit from `word` (a letter dropped, swapped with the next one,
    replaced or added): a few hundred set lookups find its English neighbours, where
    comparing it with all the English words would take milliseconds."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return {
        *(a + b[1:] for a, b in splits if b),
        *(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1),
        *(a + c + b[1:] for a, b in splits if b for c in _ALPHABET),
        *(a + c + b for a, b in splits for c in _ALPHABET),
    }


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` opens a sentence, a line or the text (quotes skipped)."""
    before = text[max(0, start - 40) : start].rstrip(" \t\"'“‘(«")
    return not before or before[-1] in ".!?:;\n\r•*-#"
