"""Messages that are not questions about the documents: greetings, thanks, "who are you?",
and requests to make something up ("tell me a joke about hackers", "write a poem").

Retrieval has nothing to say to "hello" and, worse, finds a passage "about" hackers for a
joke request ("Tell me a joke about hackers" scores as close to the documents as many
real paraphrased questions; docs/performance.md). Greetings, thanks and "who are you" get
a friendly reply; a request to invent something gets a polite no. Greetings and thanks
count only when they are the whole message: "Hi, who launched the Call?" is a question.
"""

from __future__ import annotations

import re

from bot import i18n

_END = r"[\s!.?,:;)(*~^-]*(?:callbot|bot|everyone|all|there|team|folks)?[\s!.?,:;)(*~^-]*$"
_GREETING = re.compile(
    rf"^\W*(?:hi+|hello+|hey+|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening|day)|bonjour|bonsoir|salut|coucou"
    rf"|how are you(?: doing)?(?: today)?|how's it going|what's up|sup){_END}",
    re.I,
)
_THANKS = re.compile(
    rf"^\W*(?:(?:ok(?:ay)?|great|perfect|cool|nice|awesome)[\s,!.]*)?(?:thanks?(?: you)?(?: (?:so|very) much)?(?: a lot)?|thx|ty|cheers|merci(?: beaucoup| bien| infiniment)?"
    rf"|much appreciated|that(?:'s| is) (?:helpful|great|perfect)){_END}",
    re.I,
)
_IDENTITY = re.compile(
    r"^\W*(?:who|what) (?:are|r) (?:you|u)\b|^\W*what (?:can|do) (?:you|u) do\b|^\W*are you an? (?:bot|robot|ai|human)\b"
    r"|^\W*what (?:can|should) i ask\b|^\W*how do(?:es)? (?:i use )?(?:you|this|this bot) work\b"
    r"|^\W*(?:qui|que) es[- ]tu\b|^\W*tu es qui\b|^\W*(?:qui|que) êtes[- ]vous\b|^\W*que (?:sais|peux)[- ]tu faire\b",
    re.I,
)
_MAKE = r"(?:tell|write|compose|make up|sing|give|share|recite|create|generate|invent)"
_FRENCH_CREATIVE = re.compile(
    r"\b(?:raconte|écris|ecris|invente|chante|fais)[- ](?:moi|nous)?\s*(?:une?|des)\s+(?:blagues?|poèmes?|poemes?|chansons?|histoires?|devinettes?)\b",
    re.I,
)
_CREATIVE = re.compile(
    rf"\b{_MAKE}\b(?:\s+(?:me|us))?(?:\s+(?:a|an|another|some|one|your|the best|a good|a funny|a short))?"
    r"(?:\s+(?:funny|short|silly|good|little|bedtime))*\s+(?:jokes?|puns?|poems?|songs?|limericks?|haikus?|riddles?|raps?|lyrics"
    r"|(?:funny|silly|bedtime|fictional|made-up) stor(?:y|ies)|fairy tales?|sonnets?)\b",
    re.I,
)

REPLIES = {kind: i18n.text(kind) for kind in ("greeting", "thanks", "identity", "creative")}


def small_talk(message: str) -> str | None:
    """'greeting', 'thanks', 'identity', 'creative', or None for a question to look up."""
    for kind, pattern in (
        ("greeting", _GREETING),
        ("thanks", _THANKS),
        ("identity", _IDENTITY),
        ("creative", _CREATIVE),
        ("creative", _FRENCH_CREATIVE),
    ):
        if pattern.search(message):
            return kind
    return None


def small_talk_reply(message: str) -> str | None:
    """The reply for a message that is not a question about the documents, else None."""
    kind = small_talk(message)
    return REPLIES[kind] if kind else None
