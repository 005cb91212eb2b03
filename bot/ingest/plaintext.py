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
        return {}, text[match.end() :]
    if not isinstance(data, dict):
        return {}, text
    meta = {str(k).strip().lower(): _as_text(v) for k, v in data.items() if v is not None}
    return meta, text[match.end() :]


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
    Linear in the text: a paragraph grows as a list of pieces, and the joining rules look
    only at what `_Paragraph` keeps up to date, never at the whole joined text again.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    threshold = _join_threshold(lines)
    out: list[str] = []
    paragraph: _Paragraph | None = None
    for line in lines:
        stripped = line.strip()
        if paragraph is not None and stripped and paragraph.head and _continues(paragraph, stripped, threshold):
            paragraph.join(stripped)
            continue
        if paragraph is not None:
            out.append(paragraph.text())
        paragraph = _Paragraph(line)
    if paragraph is not None:
        out.append(paragraph.text())
    return "\n".join(out)


class _Paragraph:
    """A paragraph being joined: its pieces, and what the joining rules ask of the whole."""

    def __init__(self, line: str) -> None:
        self.pieces = [line]
        self.head = line.strip()  # the first line, stripped ('' for a blank line)
        self.last = self.head  # the last line joined, which ends the paragraph
        self.tail = self.head[-3:]  # the paragraph's last characters, for cells across a joint
        self.length = len(self.head)
        self.has_table_cell = " | " in self.head

    def join(self, stripped: str) -> None:
        last = self.last
        if last[-1] == "-" and last[-2:-1].isalpha() and stripped[0].islower():
            self.pieces[-1] = self.pieces[-1].rstrip()[:-1]  # "secu-" + "rity"
            self.pieces.append(stripped)
            self.tail = stripped[-3:] if len(stripped) >= 3 else (self.tail[:-1] + stripped)[-3:]
            self.length += len(stripped) - 1
        else:
            if len(self.pieces) == 1:  # later pieces are stripped already
                self.pieces[0] = self.pieces[0].rstrip()
            if not self.has_table_cell and (stripped[0] == "|" or self.tail[-1:] == "|"):
                self.has_table_cell = " | " in self.tail[-2:] + " " + stripped[:2]
            self.pieces.append(" " + stripped)
            self.tail = stripped[-3:] if len(stripped) >= 3 else (self.tail + " " + stripped)[-3:]
            self.length += len(stripped) + 1
        self.last = stripped
        if not self.has_table_cell and "|" in stripped:
            self.has_table_cell = " | " in stripped

    def text(self) -> str:
        return "".join(self.pieces)


_CLOSERS = "\"”’'»)]"


def _continues(prev: _Paragraph, line: str, threshold: int) -> bool:
    if _LIST_START.match(line) or _BYLINE.match(line) or prev.head.startswith("#"):
        return False
    if prev.has_table_cell or " | " in line:  # table rows
        return False
    ending = prev.last.rstrip(_CLOSERS)
    if ending and ending[-1] in ".!?…:;":  # ends a sentence or clause
        return False
    return line[:1].islower() or prev.last.endswith((",", "-")) or prev.length >= threshold
