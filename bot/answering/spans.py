"""What a question asks for, and where in a sentence that thing is.

The question word says what kind of thing the answer is (a count, a date, a name, a place,
a list, a definition, a yes or no). A sentence answers only if it holds such a thing; the
part that does is the *span* a renderer marks. Regular expressions over the documents' own
capitalisation, no language model: they are cheap, and the documents are edited press text.
"""

from __future__ import annotations

import difflib
import functools
import re

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_YEAR = r"(?:1[89]|20)\d\d"
_DATE = re.compile(
    rf"\b{_DAY}\s*\(?\s*{_MONTH}\.? \d{{1,2}}\)?"
    rf"|\b\d{{1,2}}(?:\s*(?:[-–]|and)\s*\d{{1,2}})? {_MONTH}\b(?:,? {_YEAR})?"
    rf"|\b{_MONTH}\.? \d{{1,2}}(?:st|nd|rd|th)?\b(?:,? {_YEAR})?"
    rf"|\b(?:in|since|of|from) (?:{_MONTH} )?{_YEAR}\b"
    rf"|\b{_DAY}\b|\b{_MONTH} {_YEAR}\b|\b{_YEAR}\b"
)
NUMBER_WORDS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "dozens",
    "hundreds",
    "thousands",
]
_AMOUNT = re.compile(
    rf"(?:\b(?:more than|over|nearly|almost|about|around|some|at least|up to|fewer than|less than)\s+)?"
    rf"(?<![\w+(/.-])(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|(?:{'|'.join(NUMBER_WORDS)})\b)"
    rf"(?:\s*(?:%|percent|per cent))?"
    rf"((?:\s+[A-Za-z][\w'’-]*){{1,4}})",
    re.I,
)
# Words after a number that end the noun phrase ("150 companies and ...", "51 states have").
_STOP = frozenset(
    [
        "and",
        "or",
        "as",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "that",
        "which",
        "who",
        "have",
        "has",
        "had",
        "is",
        "are",
        "was",
        "were",
        "will",
        "would",
        "the",
        "a",
        "an",
        "its",
        "their",
        "this",
        "these",
    ]
)
_NAME = re.compile(r"\b[A-Z][\w'’.&-]*\w(?:(?:\s+(?:of|for|the|de|du|la|le|and|on))*\s+[A-Z][\w'’.&-]*\w)*")
_PLACE = re.compile(
    r"(?<=[\w,;)] )(?:at|in|to)\s+((?:the\s+)?[A-Z][\w'’-]*(?:(?:\s+(?:de|of|la|du|des|the))*\s+[A-Z][\w'’-]*)*"
    r"(?:,\s+[A-Z][\w'’-]+)?)"
)
_QUOTE = re.compile(r"[“”\"]|\b(?:said|says|added|stated|commented)\b", re.I)

# The question forms, most specific first; each names the answer type it expects.
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "number",
        re.compile(r"\bhow (?:many|much)\b|\bnumber of\b|\bwhat (?:percentage|share|proportion)\b|\bhow big\b", re.I),
    ),
    ("since", re.compile(r"\bsince (?:when|what year)\b|\bhow long\b|\bfor how long\b|\bhow many years\b", re.I)),
    ("day", re.compile(r"\b(?:what|which) day of the week\b", re.I)),
    (
        "date",
        re.compile(
            r"^\W*(?:when|since when)\b|\b(?:what|which|on what) (?:date|year|month|day)\b|\bwhen (?:was|did|were|is|does)\b"
            r"|\b(?:what|which)(?:'s|’s|\s+(?:is|was|were|are))\s+the (?:date|year|month|day)\b",
            re.I,
        ),
    ),
    (
        "place",
        re.compile(
            r"^\W*where\b|\bwhere (?:was|did|were|is|does)\b|\b(?:which|what|in what) (?:city|venue|place|country was)\b",
            re.I,
        ),
    ),
    (
        "list",
        re.compile(
            r"\b(?:which|what) (?:\w+ ){0,2}(?:countries|states|nations|companies|firms|businesses|organi[sz]ations|governments"
            r"|powers|signatories|members|partners|events|groups)\b|\b(?:list|name) (?:the|some|all)\b"
            r"|\bwho (?:else )?(?:signed|joined|supports?|supported|endorsed|backed)\b",
            re.I,
        ),
    ),
    (
        "definition",
        re.compile(r"^\W*(?:who['’]?s|who\s+(?:is|was))\s+(?!the\b|an?\b|in\b|on\b|behind\b|responsible\b)\w+", re.I),
    ),
    (
        "person",
        re.compile(
            r"^\W*(?:who|whom)\b|\bwho (?:is|was|were|are|from|laid|launched|leads|led)\b"
            r"|\b(?:which|what) (?:\w+ )?(?:person|minister|official|organi[sz]ation|company|president|executive|body|member|leader"
            r"|spokesperson|head)\b",
            re.I,
        ),
    ),
    (
        "definition",
        re.compile(
            r"^\W*(?:what|whats)(?:['’]s|\s+is|\s+are|\s+was)\b|\bwhat does .+ mean\b|^\W*(?:define|explain|describe)\b"
            r"|\bwhat(?:['’]s| is) (?:the )?(?:point|purpose|aim|goal) of\b",
            re.I,
        ),
    ),
    ("yesno", re.compile(r"^\W*(?:did|does|do|is|are|was|were|has|have|had|can|could|will|would|should)\b", re.I)),
)
_DEFINED = re.compile(
    r"^\W*(?:what|whats|who)(?:['’]?s|\s+is|\s+are|\s+was|\s+does)\s+(?:an?\s+|the\s+)?(.+?)(?:\s+mean)?\W*$"
    r"|^\W*(?:define|explain|describe)\s+(?:an?\s+|the\s+)?(.+?)\W*$",
    re.I,
)
_COUNT_NOUN = re.compile(r"\b(?:how many|number of)\s+(?:\w+\s+)??(\w+)", re.I)
# Nouns the documents use for the same things a question counts.
_SYNONYMS = (
    frozenset(["countries", "country", "states", "state", "nations", "nation", "governments", "government"]),
    frozenset(
        ["companies", "company", "businesses", "business", "firms", "firm", "corporations", "private", "industry"]
    ),
    frozenset(["organizations", "organisations", "organization", "organisation", "ngos", "groups", "society", "civil"]),
    frozenset(
        ["signatories", "supporters", "endorsers", "entities", "members", "participants", "stakeholders", "actors"]
    ),
    frozenset(["experts", "participants", "people", "attendees", "delegates"]),
)


def asked_kind(question: str) -> str | None:
    """'number', 'since', 'day', 'date', 'place', 'list', 'person', 'definition', 'yesno' or None."""
    for kind, pattern in _KINDS:
        if pattern.search(question):
            return kind
    return None


def defined_subject(question: str) -> str:
    """The X of "what is X?" / "what does X mean?" ("" when the question is not one)."""
    match = _DEFINED.search(question)
    return (match.group(1) or match.group(2) or "").strip() if match else ""


def counted_noun(question: str) -> str:
    """The noun of "how many X": what a number in the answer must count."""
    match = _COUNT_NOUN.search(question)
    return match.group(1).casefold() if match else ""


def _alike(a: str, b: str) -> bool:
    """The same word, give or take an ending or a typo ("country"/"countries"/"contries")."""
    return (a[:5] == b[:5] and min(len(a), len(b)) >= 4) or difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


@functools.lru_cache(maxsize=4096)
def same_noun(a: str, b: str) -> bool:
    """Whether two nouns name the same things (stem, typo or a synonym group)."""
    a, b = a.casefold().strip(".,;:"), b.casefold().strip(".,;:")
    if not a or not b:
        return False
    if _alike(a, b):
        return True
    return any(any(_alike(a, g) for g in group) and any(_alike(b, g) for g in group) for group in _SYNONYMS)


def number_spans(sentence: str) -> list[tuple[str, str]]:
    """(span, noun) for each count in the sentence: "51 states", "more than 1,500 experts".

    Years, days of the month, phone numbers and list numbering are not counts.
    """
    found = []
    for match in _AMOUNT.finditer(sentence):
        words = match.group(1).split()
        if re.fullmatch(_MONTH + r"\.?,?", words[0], re.I) or re.fullmatch(
            _YEAR, match.group().split()[-len(words) - 1]
        ):
            continue
        noun_words = []
        for word in words:
            bare = word.strip(".,;:()")
            if bare.casefold() in _STOP:
                break
            noun_words.append(word)
            if bare != word or bare.casefold().endswith("s"):
                break  # punctuation ends the phrase; a plural is its head
        if not noun_words:
            continue
        head = noun_words[-1].strip(".,;:()")
        span = match.group()[: match.end(1) - match.start()]
        span = span[: span.rfind(noun_words[-1]) + len(noun_words[-1])].rstrip(".,;:()")
        found.append((span, head))
    return found


def date_spans(sentence: str) -> list[str]:
    """Dates, longest (most specific) first."""
    spans = [m.group() for m in _DATE.finditer(sentence)]
    return sorted(spans, key=len, reverse=True)


def name_spans(sentence: str, question: str = "") -> list[str]:
    """Capitalised names the question does not already use ("Jean-Yves Le Drian")."""
    asked = question.casefold()
    names = []
    for match in _NAME.finditer(sentence):
        name = match.group()
        start = match.start()
        first = name.split()[0]
        at_sentence_start = start == 0 or re.search(r"[.!?:]\s*$", sentence[:start])
        if at_sentence_start and (len(name.split()) == 1 or first.casefold() in _LEADING):
            continue  # capitalised by position only
        if name.casefold() in asked or len(name) < 3 or re.fullmatch(_MONTH + "|" + _DAY, first):
            continue
        names.append(name)
    return names


def place_spans(sentence: str) -> list[str]:
    """Places after "at"/"in" ("at Paris City Hall", "in Geneva, Switzerland"), not the tail of
    a longer name ("Security in Cyberspace")."""
    found = []
    for match in _PLACE.finditer(sentence):
        before = sentence[: match.start()].split()
        if (
            before
            and before[-1][:1].isupper()
            and not before[-1].endswith((",", ";"))
            and not re.fullmatch(_MONTH, before[-1])
        ):
            continue
        if not re.fullmatch(_MONTH + "|" + _DAY, match.group(1).split()[0]):
            found.append(match.group())
    return found


def since_spans(sentence: str) -> list[str]:
    """How long something has gone on: "since 2001", "for ten years"."""
    return re.findall(
        rf"\bsince (?:{_MONTH} )?{_YEAR}\b|\bfor (?:\d+|{'|'.join(NUMBER_WORDS)}) years\b", sentence, re.I
    )


def day_spans(sentence: str) -> list[str]:
    """Days of the week, with the date that follows when there is one."""
    return [m.group() for m in _DATE.finditer(sentence) if re.match(_DAY, m.group())]


_LIST_ITEM = re.compile(
    r"(?:the\s+)?[A-Z][\w'’.&-]*(?:\s+(?:of|the|and|de|for|[A-Z][\w'’.&-]*))*|\d[\d,]*\s+[a-z][\w\s-]{2,40}"
)


def list_span(sentence: str) -> str:
    """The longest run of three or more comma-separated names ("Mexico, Chile, Lebanon")."""
    parts = re.split(r",\s+(?:and\s+)?|\s+and\s+|\s+as well as\s+|;\s+", sentence.rstrip(" .;"))
    best, run = "", []
    for part in [*parts, ""]:
        item = part.strip()
        words = item.split()
        if item and _LIST_ITEM.fullmatch(item):
            run.append(item)
            continue
        head = re.match(r"(?:the\s+)?[A-Z][\w'’.&-]*(?:\s+[A-Z][\w'’.&-]*)*", item) if item else None
        if head and len(run) >= 2:
            run.append(head.group())  # "... and North Korea also refrained": the last item
        if len(run) >= 3:
            start = sentence.find(run[0])
            end = sentence.find(run[-1], start) + len(run[-1])
            if end - start > len(best) and sentence[start:end].count(",") >= 2:
                best = sentence[start:end]
        # a clause ending in a name starts the next run ("signed by the United Kingdom")
        tail = re.search(r"(?:the\s+)?[A-Z][\w'’.&-]*(?:\s+(?:of|the|[A-Z][\w'’.&-]*))*$", item) if words else None
        run = [tail.group()] if tail else []
    return best


def definition_span(sentence: str, subject: str) -> str:
    """What the sentence says X is ("a high-level declaration ..."), or "" when it does not define X."""
    words = [w for w in re.findall(r"\w+", subject.casefold()) if w not in ("the", "a", "an")]
    if not words:
        return ""
    lowered = sentence.casefold()
    if not all(w in lowered for w in words[-2:]):
        return ""
    # the subject of the sentence ("The Paris Call ... is"), not a complement ("Supporters of the Paris Call are")
    phrase = r"\s+".join(re.escape(w) for w in words)
    match = re.search(
        rf"^\W*(?:the\s+)?{phrase}\w*(?:\s+(?:[A-Z][\w'’-]*|for|and|in|of|the|on))*\W*(?:\([^)]*\)\s*)?,?\s*(?:is|was|are|aims|calls|seeks|sets out|brings|represents|"
        rf"constitutes|commits|consists)\b\s*(.+)",
        sentence,
        re.I,
    )
    if not match:  # an apposition: "... launched the Paris Call for ..., a high-level declaration on ..."
        match = re.search(
            rf"{phrase}\w*(?:\s+(?:[A-Z][\w'’-]*|\d+|for|and|in|of|the|on))*,\s+((?:a|an|the)\s+[^,;]+|(?:[\w'’-]+\s+){{1,3}}?(?:of|for|at)\s+[^,;]+)",
            sentence,
            re.I,
        )
    if not match:
        return ""
    return match.group(0)[match.group(0).find(match.group(1)) :].rstrip(" .;")


def is_quote(sentence: str) -> bool:
    """A quotation or reported speech: it names a thing more often than it defines it."""
    return bool(_QUOTE.search(sentence))


_LEADING = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "in",
        "on",
        "at",
        "for",
        "about",
        "according",
        "with",
        "as",
        "but",
        "and",
        "or",
        "so",
        "also",
        "today",
        "yesterday",
        "however",
        "while",
        "although",
        "when",
        "where",
        "which",
        "what",
        "who",
        "he",
        "she",
        "they",
        "we",
        "our",
        "their",
        "his",
        "her",
    ]
)
