"""Markdown to plain lines, from markdown-it-py's token stream (CommonMark plus tables).

The sentence splitter treats every line as a boundary, so the structure is kept in lines:
a heading, a list item ("- " or "1. ", the markers the splitter knows) and a table row
each get their own line, and a paragraph keeps its source lines (`unwrap_lines` decides
later whether a line break was a hard wrap). Markup is dropped: emphasis, link and image
targets, inline HTML, fences, rules and reference definitions; link text, code and the text
inside an HTML block are kept. Blocks are separated by a blank line, list items by none.
"""

from __future__ import annotations

import functools
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# Inline tokens dropped with what they hold: an image with its alt text, an HTML tag.
_SKIPPED_INLINE = {"image", "html_inline"}


def markdown_to_text(markdown: str) -> tuple[str, str]:
    """Markdown reduced to plain lines, and the first heading ('' if none)."""
    return _Renderer().render(_parser().parse(_without_markup_sections(markdown)))


# HTML sections dropped before parsing: markdown-it's inline HTML rule scans to the end of
# the text for every opener that has no closer, which is quadratic on a line full of them.
_SECTIONS = (("<!--", "-->"), ("<?", "?>"), ("<![CDATA[", "]]>"))


def _without_markup_sections(markdown: str) -> str:
    """The text without comments, processing instructions and CDATA sections; an opener
    with no closer after it is dropped alone. One left-to-right pass per kind."""
    for opener, closer in _SECTIONS:
        if opener not in markdown:
            continue
        kept: list[str] = []
        position = 0
        while (start := markdown.find(opener, position)) >= 0:
            end = markdown.find(closer, start + len(opener))
            if end < 0:
                break
            kept.append(markdown[position:start])
            position = end + len(closer)
        kept.append(markdown[position:].replace(opener, ""))
        markdown = "".join(kept)
    return markdown


@functools.cache
def _parser() -> MarkdownIt:
    """Built on first use, so importing `bot.ingest` stays light."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


class _Renderer:
    """One pass over the block tokens, gathering blocks of lines."""

    def __init__(self) -> None:
        self.blocks: list[list[str]] = []
        self.first_heading = ""
        self.lists: list[_List] = []
        self.item_marker = ""  # the marker of a list item whose first line is not written yet
        self.join_next = False  # the next lines continue the last block (tight list, table)
        self.row: list[str] | None = None

    def render(self, tokens: list[Token]) -> tuple[str, str]:
        for i, token in enumerate(tokens):
            self.block(token, tokens[i + 1 : i + 3])
        text = "\n\n".join("\n".join(lines) for lines in self.blocks if lines)
        return text, self.first_heading

    def block(self, token: Token, following: list[Token]) -> None:
        """One block token; `following` holds the next two (the heading's close, a list's first
        paragraph)."""
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            self.lists.append(_List(ordered=kind == "ordered_list_open", tight=_is_tight(following)))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open" and self.lists:
            current = self.lists[-1]
            self.item_marker = current.marker(token)
            self.join_next = current.tight and (current.items > 0 or len(self.lists) > 1)
            current.items += 1
        elif kind == "list_item_close":
            self.item_marker = ""  # an empty item (or one without text) lends its marker to nothing
        elif kind in ("table_open", "table_close"):
            self.join_next = False
        elif kind == "tr_open":
            self.row = []
        elif kind == "tr_close" and self.row is not None:
            self.add([" | ".join(self.row)])
            self.row, self.join_next = None, True
        elif kind == "inline" and self.row is not None:
            self.row.append(" ".join(_inline_text(token).split()))
        elif kind == "inline":
            self.inline(token, heading=bool(following) and following[0].type == "heading_close")
        elif kind in ("fence", "code_block"):
            self.add(token.content.rstrip("\n").split("\n"))
        elif kind == "html_block":
            self.add([line for line in _html_text(token.content).split("\n") if line.strip()])

    def inline(self, token: Token, *, heading: bool) -> None:
        lines = _inline_text(token).split("\n")
        if heading:  # a setext heading may span lines: they stay lines, the title is one
            title = " ".join(" ".join(lines).split())
            if title and not self.first_heading:
                self.first_heading = title
        if self.item_marker:
            lines[0] = self.item_marker + lines[0]
            self.item_marker = ""
        self.add(lines)

    def add(self, lines: list[str]) -> None:
        """A block of lines, or more lines of the last block when `join_next` says so."""
        if lines and self.join_next and self.blocks:
            self.blocks[-1].extend(lines)
        elif lines:
            self.blocks.append(list(lines))
        self.join_next = False


class _List:
    """An open list: ordered or not, tight or loose, and how many items it has had."""

    def __init__(self, *, ordered: bool, tight: bool) -> None:
        self.ordered = ordered
        self.tight = tight
        self.items = 0

    def marker(self, item: Token) -> str:
        if not self.ordered:
            return "- "
        return f"{item.info}{item.markup} "  # the number and "." or ")" as written


def _is_tight(following: list[Token]) -> bool:
    """markdown-it hides the paragraphs of a tight list: the one after the first item's open."""
    paragraph = following[1] if len(following) > 1 else None
    return paragraph is None or paragraph.type != "paragraph_open" or paragraph.hidden


def _inline_text(token: Token) -> str:
    """The words of an inline token: text and code kept, markup dropped, breaks as newlines."""
    out: list[str] = []
    for child in token.children or []:
        if child.type in _SKIPPED_INLINE:
            continue
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
    return "".join(out)


def _html_text(html: str) -> str:
    """The text of an HTML block (tags, comments, scripts and styles dropped)."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


class _TextOfHtml(HTMLParser):
    """Collects the text of an HTML fragment; block elements start a new line."""

    _BLOCKS = {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "ul",
        "ol",
        "section",
        "blockquote",
        "pre",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)
