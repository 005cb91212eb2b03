"""Plain-text shaping shared by the loaders: front matter and line unwrapping.

The sentence splitter treats every line as a boundary and every line without final
punctuation as a heading, so text must arrive with one paragraph (or list item) per line:
Markdown is reduced to its words (`markdown_text`) and hard-wrapped lines (PDF layout
lines, 72-column text) are joined back into paragraphs before debris cleaning and chunking.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.errors import DocumentError

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_LIST_START = re.compile(r"^\s*(?:[-•·◦▪●‣⁃∙*–]\s+|\d{1,3}[.)]\s+|\(?[a-z]\)\s+|#{1,6}\s)")
_BYLINE = re.compile(r"^\s*by\s+[A-Z]")
_ENDS_CLOSED = re.compile(r"[.!?…:;][\"”’'»)\]]*$")


def split_front_matter(name: str, text: str, *, strict: bool = True) -> tuple[dict[str, str], str]:
    """YAML front matter (`---` ... `---`) as str values, and the body after it.

    A block that is not a mapping is taken for text between two rules, not front matter.
    Invalid YAML is an error in Markdown (`strict`), and plain text elsewhere.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    import yaml

    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        if not strict:
            return {}, text
        raise DocumentError(f"{name}: the front matter between the '---' lines is not valid YAML.") from None
    if data is None:
        return {}, text[match.end():]
    if not isinstance(data, dict):
        return {}, text
    meta = {str(k).strip().lower(): _as_text(v) for k, v in data.items() if v is not None}
    return meta, text[match.end():]


def _as_text(value: object) -> str:
    """YAML turns 2018-11-12 into a date; the Document wants ISO strings."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _join_threshold(lines: list[str]) -> int:
    """Length from which a line without final punctuation is taken as wrapped, not ended."""
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    if not lengths:
        return 60
    p75 = lengths[(len(lengths) * 3) // 4]
    return max(25, min(60, int(p75 * 0.7)))


def unwrap_lines(text: str) -> str:
    """Join hard-wrapped lines back into paragraphs; list items and headings stay apart.

    A line is continued by the next one when it does not end a sentence or clause and the
    next line either starts in lower case or the line is long enough to have been wrapped.
    Conservative on purpose: a short label line followed by another line is left alone.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    threshold = _join_threshold(lines)
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        prev = out[-1].strip() if out else ""
        if stripped and prev and _continues(prev, stripped, threshold):
            if prev.endswith("-") and prev[-2:-1].isalpha() and stripped[:1].islower():
                out[-1] = out[-1].rstrip()[:-1] + stripped  # "secu-" + "rity"
            else:
                out[-1] = out[-1].rstrip() + " " + stripped
            continue
        out.append(line)
    return "\n".join(out)


def _continues(prev: str, line: str, threshold: int) -> bool:
    if _LIST_START.match(line) or _BYLINE.match(line) or prev.startswith("#"):
        return False
    if " | " in prev or " | " in line:  # table rows
        return False
    if _ENDS_CLOSED.search(prev):
        return False
    return line[:1].islower() or prev.endswith((",", "-")) or len(prev) >= threshold
