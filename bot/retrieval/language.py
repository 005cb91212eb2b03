"""Which language a question is in: English (the default) or French.

Questions are short, so a statistical detector alone is unreliable on them; French and
English function words ("le", "quel", "combien" / "the", "what", "how") decide first, and
the detector (lingua, which ships its language models, restricted to the two languages)
settles ties. Names, the Call's French names included, are left out of the count: "Where is La Grande Halle de La Villette?"
is English, and so are "Paris Call" and one-word questions; "hack-back" in a French question
does not make it English. Accuracy on the question sets is in docs/quality.md.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from bot.retrieval.french import CALL_NAME_FR

ENGLISH = "en"
FRENCH = "fr"
LANGUAGES = (ENGLISH, FRENCH)

_FR_WORDS = """le la les l un une des du d de et est sont été etait était ete a-t-il ont qui que qu quoi quel quelle
    quels quelles quand ou où combien pourquoi comment dans pour sur avec par ce cette ces cet c il elle ils
    elles au aux pas ne n nous vous je j tu y se son sa ses leur leurs mais donc lequel laquelle
    lesquels est-ce qu'est-ce fait faire dit dire peut doit sont-ils ont-ils t-il t-elle selon entre chez
    principe principes appel cyberespace signataires bonjour bonsoir salut merci svp stp plait cest quest",
    """
_FR = frozenset(_FR_WORDS.split())
_EN_WORDS = """the of and is are was were who whom whose what when where which how why did does do done in to for with
    by has have had it its this that these those an be been being can could would should will about from
    at as or not there their they them he she his her we you your our my me i any some many much
    please tell show give list explain"""
_EN = frozenset(_EN_WORDS.split())
_TIE_FRENCH = 0.6  # lingua's confidence that a tied question is French
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
# A name: capitalised words, possibly joined by French particles ("Grande Halle de la Villette").
_NAME = re.compile(
    r"(?<!^)(?<![.?!]\s)\b[A-Z][\w’'-]*(?:\s+(?:(?:de|la|le|du|des|d'|l')\s+)*[A-Z][\w’'-]*)*", re.UNICODE
)


def _words(text: str) -> list[str]:
    text = _NAME.sub(" ", CALL_NAME_FR.sub(" ", text.strip()))
    return [w.casefold() for w in _WORD.findall(text.replace("’", "'").replace("'", " "))]


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


def function_word_counts(text: str) -> tuple[int, int]:
    """(French, English) function words in `text`, names left out."""
    words = _words(text)
    french = sum(1 for w in words if w in _FR or _plain(w) in _FR)
    english = sum(1 for w in words if w in _EN)
    return french, english


@lru_cache(maxsize=1)
def _detector() -> Any:
    """lingua's detector for English and French only, loaded on the first tie. High-accuracy
    mode: the low-accuracy one reads "cyber hygiene" as French (docs/languages.md)."""
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.FRENCH).build()


def detect_language(text: str) -> str:
    """ "fr" or "en" ("en" when unsure: a one-word question, a bare name)."""
    french, english = function_word_counts(text)
    if french != english:
        return FRENCH if french > english else ENGLISH
    if len(_words(text)) < 2:
        return ENGLISH
    from lingua import Language

    return FRENCH if _detector().compute_language_confidence(text, Language.FRENCH) >= _TIE_FRENCH else ENGLISH
