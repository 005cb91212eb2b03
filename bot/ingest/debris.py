"""Web-page debris removal: keep the article, drop the page furniture around it.

Saved web pages carry comment forms, share bars, "Follow us" lines, cookie and legal
footers, navigation labels and contact blocks. Embedded, these lines become passages that
match questions for the wrong reasons, so they are dropped before chunking. The per-line
rules live in `debris_rules`; this module adds the block rules (a comment form swallows its
labels and help bullets; a label left pointing at nothing is dropped) and normalises
bullets to "- ", spaces and blank lines (one blank line between paragraphs).
"""

from __future__ import annotations

import re
import unicodedata

from bot.ingest.debris_rules import SENTENCE_END, is_debris

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BULLET = re.compile(r"^(?:[•·◦▪▫●○■□‣⁃∙*–-])\s+")
_COMMENT_START = re.compile(
    r"^(add (a )?(new )?comment|leave a (comment|reply)|post (a )?(new )?comment|write a comment|"
    r"\d+ comments?|join the (discussion|conversation)|your comment|comments \(\d+\))\s*:?$",
    re.I,
)


def normalize_line(line: str) -> str:
    """One line with unified spaces, no invisible characters and bullets written '- '."""
    line = unicodedata.normalize("NFC", line)
    line = _INVISIBLE.sub("", line)
    line = _CONTROL.sub(" ", line)
    line = _SPACES.sub(" ", line).strip()
    if _BULLET.match(line):
        line = "- " + _BULLET.sub("", line, count=1)
    return line


def _is_heading_like(line: str) -> bool:
    return not line.startswith("- ") and not SENTENCE_END.search(line) and len(line.split()) <= 8


def clean_text(text: str) -> str:
    """The article text of a page: debris lines dropped, bullets and blank lines normalised."""
    kept: list[str] = []
    in_comment_form = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = normalize_line(raw)
        if not line:
            kept.append("")
            continue
        bullet = line.startswith("- ")
        body = line[2:] if bullet else line
        if _COMMENT_START.match(body):
            in_comment_form = True
            continue
        if in_comment_form:
            real_paragraph = not bullet and len(body.split()) >= 15 and SENTENCE_END.search(body)
            if not real_paragraph:
                continue  # labels, help bullets and text-format names of the form
            in_comment_form = False
        if is_debris(body):
            continue
        kept.append(line)
    return _tidy(_drop_orphans(kept))


def _drop_orphans(lines: list[str]) -> list[str]:
    """Drop what is left pointing at nothing once debris is gone.

    First a standalone short heading closing the page ("Related posts" under another name),
    then colon labels with nothing after them ("Notes to editors:") or stacked on another
    label ("Font size:" / "Page background:"). Consecutive short lines (a list of names)
    are content and stay.
    """
    lines = list(lines)
    content = [i for i, line in enumerate(lines) if line]
    if len(content) > 1:
        last = content[-1]
        standalone = not lines[last - 1]
        if standalone and _is_heading_like(lines[last]) and len(lines[last].split()) <= 6:
            lines[last] = ""
    # A label's fate depends only on the lines after it, so one pass from the end settles
    # every label (a label dropped here unmasks the one above it for the same pass).
    following: str | None = None
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if not line:
            continue
        short_label = line.endswith(":") and len(line.split()) <= 8 and not line.startswith("- ")
        if short_label and (following is None or (following.endswith(":") and _is_heading_like(following))):
            lines[i] = ""
            continue
        following = line
    return lines


def _tidy(lines: list[str]) -> str:
    """One blank line between paragraphs, none inside a bullet list, no repeated line."""
    out: list[str] = []
    for line in lines:
        if not line:
            if out and out[-1]:
                out.append("")
            continue
        if out and not out[-1] and line.startswith("- ") and len(out) >= 2 and out[-2].startswith("- "):
            out.pop()  # keep a bullet list together
        previous = next((x for x in reversed(out) if x), None)
        if line == previous:
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
