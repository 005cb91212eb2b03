"""The bot's own words in each language it answers in (English, French).

Chosen by `Answer.language`, the question's language: the decline sentences, the small-talk
replies, "principle 12", the console help, and the words each platform's renderer adds around
an answer (`hint_words`, applied to the platform's `Hints` in bot/render/common.py). Quoted
document text is never translated. A missing key or language falls back to English.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.types import Answer

ENGLISH = "en"
FRENCH = "fr"

_TEXT: dict[str, dict[str, str]] = {
    ENGLISH: {
        "decline": "The documents I have do not cover that.",
        "decline_years": "The documents I have do not cover {years}: none of them mentions that year.",
        "decline_names": "The documents I have do not cover that: none of them mentions {names} (if that is "
        "another name for something they do cover, ask with the name they use).",
        "or": " or ",
        "tentative": "The closest the documents come is: ",
        "read_as": "(read as: {text})",
        "out_of_range": "The Call has {count} principles, numbered 1 to {count}; there is no principle {missing}.",
        "console_help": "Ask a question about the Paris Call for Trust and Security in Cyberspace (follow-ups "
        'such as\n"and when?" read the chat so far), or type:\n'
        "  principles | principle N | sources | /new (start over) | help | quit",
        "greeting": "Hello! I answer questions about the Paris Call for Trust and Security in Cyberspace from its "
        "documents, quoting the passages I answer from.",
        "thanks": "You're welcome.",
        "identity": "I'm callbot: I answer questions about the Paris Call for Trust and Security in Cyberspace from "
        "the documents I have, and cite the passage each answer comes from.",
        "creative": "I only answer from the documents about the Paris Call, so I don't make up jokes, poems or "
        "stories.",
    },
    FRENCH: {
        "decline": "Les documents dont je dispose ne traitent pas de cette question.",
        "decline_years": "Les documents dont je dispose ne couvrent pas {years} : aucun ne mentionne cette année.",
        "decline_names": "Les documents dont je dispose ne traitent pas de cette question : aucun ne mentionne "
        "{names} (si c'est un autre nom de ce qu'ils couvrent, reposez la question avec le nom qu'ils emploient).",
        "or": " ou ",
        "tentative": "Ce qui s'en rapproche le plus dans les documents : ",
        "read_as": "(lu comme : {text})",
        "out_of_range": "L'Appel compte {count} principes, numérotés de 1 à {count} ; il n'y a pas de principe "
        "{missing}.",
        "console_help": "Posez une question sur l'Appel de Paris pour la confiance et la sécurité dans le "
        "cyberespace, en français ou en anglais, ou tapez :\n"
        "  principles | principle N | sources | /new (recommencer) | aide | quit",
        "greeting": "Bonjour ! Je réponds aux questions sur l'Appel de Paris pour la confiance et la sécurité "
        "dans le cyberespace à partir de ses documents, en citant les passages d'où viennent mes réponses.",
        "thanks": "Je vous en prie.",
        "identity": "Je suis callbot : je réponds aux questions sur l'Appel de Paris pour la confiance et la "
        "sécurité dans le cyberespace à partir des documents dont je dispose, et je cite le passage d'où vient "
        "chaque réponse.",
        "creative": "Je réponds uniquement à partir des documents sur l'Appel de Paris : je n'invente ni "
        "blagues, ni poèmes, ni histoires.",
    },
}
_FRENCH_GAPS: dict[str, str] = {  # the English words are the Hints defaults (render/common.py)
    "since": "de durée",
    "day": "le jour",
    "date": "de date",
    "place": "de lieu",
    "list": "de liste",
    "person": "de nom",
    "number": "de nombre",
    "": "cette information",
}


def text(key: str, language: str = ENGLISH, **values: object) -> str:
    """The sentence `key` in `language` (English when it has none), with `values` filled in."""
    table = _TEXT.get(language, _TEXT[ENGLISH])
    return table.get(key, _TEXT[ENGLISH][key]).format(**values)


def or_join(items: Sequence[str], language: str = ENGLISH) -> str:
    return text("or", language).join(items)


def _template(key: str) -> re.Pattern[str]:
    """The English sentence `key` as a pattern whose fields are captured."""
    parts = re.split(r"\{(\w+)\}", _TEXT[ENGLISH][key])
    seen: set[str] = set()
    pattern = ""
    for n, part in enumerate(parts):
        if n % 2 == 0:
            pattern += re.escape(part)
        else:
            pattern += f"(?P={part})" if part in seen else f"(?P<{part}>.+?)"
            seen.add(part)
    return re.compile(f"^{pattern}$", re.S)


def reword(message: str, language: str) -> str:
    """An English reply of the bot's own (`Answer.message`) in `language`: for a reply language
    the user chose (Discord's locale) rather than the question's. Unknown text is kept."""
    if language == ENGLISH or language not in _TEXT or not message:
        return message
    for key in ("decline", "thanks", "greeting", "identity", "creative"):
        if message == _TEXT[ENGLISH][key]:
            return text(key, language)
    found = _template("decline_names").match(message)
    if found:
        names = [f"« {n} »" for n in re.findall(r"“([^”]+)”", found["names"])]
        return text("decline_names", language, names=or_join(names, language))
    found = _template("decline_years").match(message)
    if found:
        return text("decline_years", language, years=or_join(found["years"].split(_TEXT[ENGLISH]["or"]), language))
    found = _template("out_of_range").match(message)
    if found:
        return text("out_of_range", language, count=found["count"], missing=found["missing"])
    return message


def answer_in(answer: Answer, language: str) -> Answer:
    """The answer with the bot's own words in `language` (the quoted documents unchanged)."""
    if language == answer.language or language not in _TEXT:
        return answer
    message = reword(answer.message, language) if answer.language == ENGLISH else answer.message
    return replace(answer, language=language, message=message)


def locale_language(locale: object) -> str | None:
    """The reply language a platform locale asks for ("fr", "fr-CA" -> "fr"), None for others."""
    code = str(getattr(locale, "value", locale) or "").casefold()
    return FRENCH if code.split("-")[0] == FRENCH else None


# The answer words of every platform's `Hints` (bot/render/common.py) in each other language;
# the platform's command names ({principles}, {principle}, {sources}) are kept.
_HINT_WORDS: dict[str, dict[str, Any]] = {
    FRENCH: {
        "not_covered": _TEXT[FRENCH]["decline"],
        "can_answer": "Je peux répondre à des questions sur",
        "topics": (
            "les neuf principes de l'Appel ({principles}, {principle})",
            "qui a lancé, rejoint ou refusé de signer l'Appel, et quand",
            "les sources d'où viennent mes réponses ({sources})",
        ),
        "list_principles": "{principles} les liste tous.",
        "closest": _TEXT[FRENCH]["tentative"],
        "not_given": "Les documents ne donnent pas {what} ; ce qui s'en rapproche le plus : ",
        "number_of": "le nombre de {noun}",
        "gaps": tuple((kind, word) for kind, word in _FRENCH_GAPS.items() if kind),
        "show_passages": "Voir les passages",
        "passages_title": "Passages à l'appui",
        "no_passages": "Ces passages ne sont plus dans les documents d'où viennent mes réponses ; reposez la "
        "question pour en avoir de nouveaux.",
        "index_version": "Version de l'index {version}",
        "discussed": "Passages qui en traitent · version de l'index {version}",
        "read_as": _TEXT[FRENCH]["read_as"],
        "about": "(à propos de : {text})",
        "asked": "Q : {question}",
        "helpful": "Utile",
        "not_helpful": "Pas utile",
        "share": "Partager dans le canal",
        "shared_by": "partagé par {who}",
    }
}


def hint_words(language: str) -> dict[str, Any]:
    """The platform words to replace for an answer in `language` ({} for English)."""
    return _HINT_WORDS.get(language, {})
