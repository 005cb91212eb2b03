"""Check the answer and lead phrases of question sets against the documents' own text.

Standard library only, and independent of the bot's ingester on purpose: the sets are written
from the documents, so they are checked against the documents (minus their web debris), not
against whatever the ingester currently keeps.

Usage: python tests/eval/check_phrases.py tests/eval/chat.jsonl [more.jsonl ...]
Exit status 1 when a phrase is missing.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"

# Web debris a good ingester drops; an answer must never depend on it.
DEBRIS_LINES = [
    r"^Full Text Sharing$",
    r"^Global Editions$",
    r"^by TR Pakistan$",
    r"^Read more:",
    r"^Related posts$",
    r"^Georg Schmitt, Head of Corporate Affairs",
    r"^Contact: ",
    r"^. Learn more about the Centre for Cybersecurity$",
    r"^Find out more about the Paris Call here$",
    r"^For more information, please visit$",
    r"^(Font size|Page background|Letter spacing):",
    r"^Disable visually impaired version",
    r"^Version for visually impaired people$",
    r"^Previous News Next news$",
]
# Everything from these lines on is a comment form or a footer.
CUT_FROM = ["Find here full test:", "Notes to editors:"]

QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
BAD_CHARS = "\u2018\u2019\u201c\u201d\u00a0"


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(QUOTES)).strip().lower()


def clean_body(raw: str) -> tuple[str, str]:
    """Return (origin seed name, body text without front matter and debris)."""
    origin = ""
    body = raw
    if raw.startswith("---"):
        _, front, body = raw.split("---", 2)
        found = re.search(r'^origin:\s*"?([^"\n]+)"?', front, re.M)
        origin = found.group(1).strip() if found else ""
    for marker in CUT_FROM:
        if marker in body:
            body = body[: body.index(marker)]
    kept = [line for line in body.splitlines() if not any(re.search(p, line.strip()) for p in DEBRIS_LINES)]
    return origin, "\n".join(kept)


def load_docs() -> dict[str, str]:
    docs = {}
    for path in sorted(KNOWLEDGE.glob("*.md")):
        origin, body = clean_body(path.read_text(encoding="utf-8"))
        docs[origin] = norm(body)
    return docs


def check(path: Path, docs: dict[str, str], structured: str) -> list[str]:
    problems = []
    everything = "\n".join(docs.values())
    ids = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        qid = item["id"]
        where = f"{path.name}:{n} {qid}"
        if qid in ids:
            problems.append(f"{where}: duplicate id")
        ids.add(qid)
        answers, doc = item["answers"], item["doc"]
        if item["kind"] == "offtopic" or (item["kind"] == "standalone" and not answers):
            if answers or doc is not None:
                problems.append(f"{where}: unanswerable item with answers or doc")
            continue
        if not answers:
            problems.append(f"{where}: no answers")
        if doc not in docs:
            problems.append(f"{where}: unknown doc {doc!r}")
        elif not any(norm(a) in docs[doc] for a in answers):
            problems.append(f"{where}: no answer phrase found in its doc {doc}")
        for phrase in answers + item.get("lead", []):
            if any(c in phrase for c in BAD_CHARS):
                problems.append(f"{where}: curly quote or no-break space in {phrase!r}")
        for a in answers:
            if norm(a) not in everything:
                problems.append(f"{where}: answer not in the documents: {a!r}")
        for lead in item.get("lead", []):
            if norm(lead) not in everything and norm(lead) not in structured:
                problems.append(f"{where}: lead not in the documents: {lead!r}")
    return problems


def main(argv: list[str]) -> int:
    docs = load_docs()
    structured = norm((KNOWLEDGE / "principles.yaml").read_text(encoding="utf-8"))
    problems = []
    for name in argv:
        problems += check(Path(name), docs, structured)
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s) in {len(argv)} file(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
