"""Markdown documents read from markdown-it-py's token stream: structure kept as lines,
markup dropped, front matter still the metadata, HTML and tables degraded to their text."""

from __future__ import annotations

from pathlib import Path

from bot.ingest import load_document
from bot.ingest.markdown_text import markdown_to_text

DOC = """---
title: Notes on the Call
date: 2018-11-12
---
Supporters of the Paris Call
===========================

The Call was launched in Paris
on 12 November 2018 by [President
Emmanuel Macron](https://www.elysee.fr/) &amp; partners.

+ Protect individuals and infrastructure.
+ Defend *electoral* processes.
    + Including campaigns.
1. Prevent hack-back.
2. Promote **norms**.

> A quoted sentence from the text of the Call.

<div class="note"><p>Supporters now number <b>more than a thousand</b>.</p>
<script>track("SCRIPT TEXT")</script></div>

| Group | Supporters |
|:------|-----------:|
| States | 81 |
| Companies | 706 |

Code such as `hack_back()` stays, ![a logo](logo.png) goes.
"""


def test_blocks_become_lines_and_markup_goes() -> None:
    text, heading = markdown_to_text(DOC.split("---\n", 2)[2])
    assert heading == "Supporters of the Paris Call"  # a setext heading is a heading
    lines = text.split("\n")
    assert lines[:2] == ["Supporters of the Paris Call", ""]
    assert "The Call was launched in Paris\non 12 November 2018 by President\nEmmanuel Macron & partners." in text
    # Each item its own line with a marker the sentence splitter knows; a tight list stays together.
    assert (
        "- Protect individuals and infrastructure.\n- Defend electoral processes.\n"
        "- Including campaigns.\n\n1. Prevent hack-back.\n2. Promote norms."
    ) in text
    assert "A quoted sentence from the text of the Call." in lines
    assert "Code such as hack_back() stays,  goes." in lines
    for markup in ("===", "](", "*", ">", "logo", "+ "):
        assert markup not in text, markup


def test_html_block_and_table_degrade_to_text() -> None:
    text, _ = markdown_to_text(DOC.split("---\n", 2)[2])
    lines = text.split("\n")
    assert "Supporters now number more than a thousand." in lines
    assert "SCRIPT TEXT" not in text and "<" not in text
    assert [line for line in lines if " | " in line] == ["Group | Supporters", "States | 81", "Companies | 706"]
    assert ":---" not in text and "---:" not in text


def test_a_markdown_file_keeps_front_matter_and_structure(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(DOC, encoding="utf-8")
    doc = load_document(path)
    assert (doc.title, doc.date) == ("Notes on the Call", "2018-11-12")  # front matter wins
    assert "title:" not in doc.text
    assert "The Call was launched in Paris on 12 November 2018 by President Emmanuel Macron & partners." in doc.text
    assert "- Defend electoral processes.\n- Including campaigns." in doc.text
    assert "Companies | 706" in doc.text and "<b>" not in doc.text
    untitled = tmp_path / "untitled.md"
    untitled.write_text(DOC.split("---\n", 2)[2], encoding="utf-8")
    assert load_document(untitled).title == "Supporters of the Paris Call"  # the first heading


def test_fenced_code_keeps_its_lines_and_unclosed_markup_is_text() -> None:
    text, heading = markdown_to_text("## Setup ##\n\n```yaml\nkey: value\nother: 2\n```\n\nAn *unclosed [bracket.\n")
    assert heading == "Setup"
    assert text.split("\n") == ["Setup", "", "key: value", "other: 2", "", "An *unclosed [bracket."]


def test_an_empty_list_item_lends_its_marker_to_nothing() -> None:
    assert markdown_to_text("-\n\nA paragraph after an empty item.\n")[0] == "A paragraph after an empty item."
