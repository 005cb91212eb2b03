"""Write a misspelled copy of a question set: one typo in one content word of each question.

Standard library only. Each question gets its own random generator seeded with the seed and
the item's id, so a question's typo does not change when other items are added or removed.
The typo is one of: a dropped letter, a doubled letter, two adjacent letters swapped, or a
letter replaced by a QWERTY neighbour. The first letter of the word is never touched (people
rarely mistype it, and it keeps the word recognisable). Content words are words of at least
four letters that are not stop words, not numbers and not all-caps acronyms. Ids, answers,
kind and doc are kept; a field "typo": "orig->typo" records the change ("" if the question
had no content word).

Usage: python tests/eval/make_misspelled.py [--seed 1234] [--out-dir tests/eval/typos] SET.jsonl ...
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "although",
        "always",
        "am",
        "an",
        "and",
        "any",
        "are",
        "aren't",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "couldn't",
        "did",
        "didn't",
        "do",
        "does",
        "doesn't",
        "doing",
        "don't",
        "down",
        "during",
        "each",
        "else",
        "even",
        "ever",
        "every",
        "few",
        "for",
        "from",
        "further",
        "get",
        "gets",
        "got",
        "had",
        "hadn't",
        "has",
        "hasn't",
        "have",
        "haven't",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "however",
        "i",
        "if",
        "in",
        "into",
        "is",
        "isn't",
        "it",
        "its",
        "itself",
        "just",
        "least",
        "less",
        "let",
        "like",
        "many",
        "may",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "my",
        "myself",
        "never",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "often",
        "on",
        "once",
        "only",
        "or",
        "other",
        "others",
        "otherwise",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "please",
        "pls",
        "quite",
        "rather",
        "really",
        "same",
        "said",
        "say",
        "says",
        "shall",
        "she",
        "should",
        "shouldn't",
        "since",
        "so",
        "some",
        "still",
        "such",
        "than",
        "that",
        "that's",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "though",
        "through",
        "thus",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "was",
        "wasn't",
        "we",
        "were",
        "weren't",
        "what",
        "whats",
        "what's",
        "when",
        "whens",
        "where",
        "wheres",
        "which",
        "while",
        "who",
        "whos",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "won't",
        "would",
        "wouldn't",
        "yes",
        "yet",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "thing",
        "things",
        "tell",
        "know",
        "want",
        "give",
        "okay",
        "also",
        "anyone",
        "someone",
        "something",
        "does",
        "au",
        "aux",
        "avec",
        "avoir",
        "c'est",
        "ce",
        "ces",
        "cet",
        "cette",
        "comme",
        "dans",
        "des",
        "du",
        "elle",
        "elles",
        "est",
        "et",
        "été",
        "être",
        "eux",
        "il",
        "ils",
        "je",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "lui",
        "mais",
        "me",
        "même",
        "mes",
        "moi",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ont",
        "ou",
        "où",
        "par",
        "pas",
        "plus",
        "pour",
        "qu",
        "que",
        "quel",
        "quelle",
        "quelles",
        "quels",
        "qui",
        "sa",
        "sans",
        "se",
        "ses",
        "son",
        "sont",
        "sur",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tous",
        "tout",
        "toute",
        "toutes",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "quand",
        "comment",
        "combien",
        "pourquoi",
        "quoi",
        "avait",
        "avaient",
        "etait",
        "était",
        "sont",
        "fait",
        "faire",
        "peut",
    ]
)

# Letters next to each other on a QWERTY keyboard (same row and the rows above and below).
QWERTY_NEIGHBOURS = {
    "q": "wa",
    "w": "qeas",
    "e": "wrsd",
    "r": "etdf",
    "t": "ryfg",
    "y": "tugh",
    "u": "yihj",
    "i": "uojk",
    "o": "ipkl",
    "p": "ol",
    "a": "qwsz",
    "s": "awedxz",
    "d": "serfcx",
    "f": "drtgvc",
    "g": "ftyhbv",
    "h": "gyujnb",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "z": "asx",
    "x": "zsdc",
    "c": "xdfv",
    "v": "cfgb",
    "b": "vghn",
    "n": "bhjm",
    "m": "njk",
}

WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
OPERATIONS = ("drop", "double", "swap", "replace")


def content_part(token: str) -> tuple[int, str] | None:
    """The part of token to misspell, as (offset, text), or None if it is not a content word.

    Apostrophes split a token ("russia's", "l'appel"): its longest part is the word.
    """
    if token.lower() in STOP_WORDS:
        return None
    parts = token.split("'")
    word = max(parts, key=len)
    if len(word) < 4 or word.isupper() or word.lower() in STOP_WORDS:
        return None
    return token.index(word), word


def misspell_word(word: str, rng: random.Random) -> str:
    """One typo in word, never on its first letter; the result always differs from word."""
    for _ in range(20):
        op = rng.choice(OPERATIONS)
        i = rng.randrange(1, len(word))
        if op == "drop":
            typo = word[:i] + word[i + 1 :]
        elif op == "double":
            typo = word[: i + 1] + word[i:]
        elif op == "swap":
            if i + 1 >= len(word):
                continue
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            neighbours = QWERTY_NEIGHBOURS.get(word[i].lower())
            if not neighbours:
                continue
            new = rng.choice(neighbours)
            typo = word[:i] + (new.upper() if word[i].isupper() else new) + word[i + 1 :]
        if typo != word:
            return typo
    return word[:1] + word[2:]  # a dropped second letter: always a change


def misspell_question(question: str, rng: random.Random) -> tuple[str, str]:
    """Return (question with one typo, "orig->typo"), or (question, "") with no content word."""
    candidates = []
    for match in WORD.finditer(question):
        part = content_part(match.group())
        if part:
            candidates.append((match.start() + part[0], part[1]))
    if not candidates:
        return question, ""
    start, word = rng.choice(candidates)
    typo = misspell_word(word, rng)
    changed = question[:start] + typo + question[start + len(word) :]
    return changed, f"{word}->{typo}"


def misspell_set(src: Path, dst: Path, seed: int) -> tuple[int, int]:
    """Write the misspelled copy of src to dst; return (items, items left unchanged)."""
    lines_out, unchanged = [], 0
    for line in src.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        rng = random.Random(f"{seed}:{item['id']}")
        item["question"], item["typo"] = misspell_question(item["question"], rng)
        unchanged += not item["typo"]
        lines_out.append(json.dumps(item, ensure_ascii=False))
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text("\n".join(lines_out) + "\n", encoding="utf-8")
    return len(lines_out), unchanged


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path, help="question sets (JSON lines)")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).parent / "typos")
    args = parser.parse_args(argv)
    for src in args.sets:
        dst = args.out_dir / src.name
        count, unchanged = misspell_set(src, dst, args.seed)
        print(f"{src} -> {dst}: {count} questions, {unchanged} without a content word")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
