"""The README stays short and every link in the documentation leads somewhere.

A newcomer reads README.md first: it must stay under 12,000 characters, its Quick start
must keep the "two commands" promise, and a link into docs/ (or between docs pages, or to
a heading) that no longer resolves sends them nowhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOC_FILES = [README, *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_CHARS = 12_000
QUICK_START_COMMANDS = ["make run", "make test"]

_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def _prose(text: str) -> str:
    """The text without fenced code blocks (a link-like string in code is not a link)."""
    return _FENCE.sub("", text)


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a Markdown file (repeated headings get -1, -2, ...)."""
    seen: dict[str, int] = {}
    found = set()
    for heading in _HEADING.findall(_prose(path.read_text(encoding="utf-8"))):
        anchor = github_anchor(heading)
        count = seen.get(anchor, 0)
        found.add(anchor if count == 0 else f"{anchor}-{count}")
        seen[anchor] = count + 1
    return found


def relative_links(path: Path) -> list[str]:
    """Links that point inside the repository (not to a web site or an e-mail address)."""
    links = _LINK.findall(_prose(path.read_text(encoding="utf-8")))
    return [link for link in links if not re.match(r"^[a-z][a-z0-9+.-]*:", link, re.I)]


def broken_links(path: Path) -> list[str]:
    """The relative links of `path` whose file, or heading anchor, does not exist."""
    broken = []
    for link in relative_links(path):
        target, _, anchor = link.partition("#")
        file = (path.parent / target).resolve() if target else path
        if not file.exists():
            broken.append(f"{link}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{link}: no heading with that anchor in {file.name}")
    return broken


def quick_start_commands(readme_text: str) -> list[str]:
    """The commands listed in the README's Quick start code block, comments stripped."""
    section = re.search(r"^## Quick start\s*$(.*?)(?=^## |\Z)", readme_text, re.M | re.S)
    assert section, "README.md has no '## Quick start' section"
    block = re.search(r"```[a-z]*\n(.*?)```", section.group(1), re.S)
    assert block, "the Quick start section has no code block"
    lines = (line.split("#", 1)[0].strip() for line in block.group(1).splitlines())
    return [line for line in lines if line]


def test_readme_is_short() -> None:
    size = len(README.read_bytes())  # bytes, as `wc -c` counts: never fewer than characters
    assert size <= README_MAX_CHARS, f"README.md has {size:,} bytes; move detail into docs/"


def test_quick_start_is_the_two_commands() -> None:
    assert quick_start_commands(README.read_text(encoding="utf-8")) == QUICK_START_COMMANDS


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve(path: Path) -> None:
    assert broken_links(path) == []


def test_docs_folder_is_linked_from_the_readme() -> None:
    linked = {(README.parent / link.partition("#")[0]).resolve() for link in relative_links(README)}
    unlinked = [p.name for p in DOC_FILES[1:] if p.resolve() not in linked]
    assert unlinked == [], f"docs pages the README does not link to: {unlinked}"


def test_the_checks_catch_what_they_guard(tmp_path: Path) -> None:
    """The helpers themselves: a missing file, a missing anchor and an extra command."""
    (tmp_path / "there.md").write_text("# A heading: with `code`\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](there.md#a-heading-with-code) [web](https://example.org/x.md) [gone](missing.md) "
        "[bad anchor](there.md#nope)\n```\n[in code](not-a-link.md)\n```\n",
        encoding="utf-8",
    )
    assert broken_links(page) == [
        "missing.md: no such file",
        "there.md#nope: no heading with that anchor in there.md",
    ]
    readme = "# x\n## Quick start\n```sh\nmake run   # go\nmake install\nmake test\n```\n## Next\n"
    assert quick_start_commands(readme) == ["make run", "make install", "make test"]
