"""Loaders: every format, metadata, knowledge folders and every bad-file refusal."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import DocumentError
from bot.ingest import load_document, load_knowledge_dir
from tests.pdf_factory import make_pdf

RAW = Path(__file__).parent / "data" / "raw_pages"


PDF_LINES = [
    "The Paris Call for Trust and Security in Cyberspace was launched in",
    "Paris on 12 November 2018 by President Emmanuel Macron.",
    "It sets out nine principles (including protection of elections).",
]

HTML_PAGE = """<!DOCTYPE html>
<html><head><title>Blog | Cyber Weekly</title>
<meta property="og:site_name" content="Cyber Weekly">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2019-03-04">
<style>body { color: red } .banner { display: none }</style>
<script>var tracking = "SCRIPT TEXT SHOULD NOT APPEAR";</script></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/about">About Us</a></li><li><a href="/join">Join Us</a></li></ul></nav>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience. <button>Accept all</button></div>
<article>
<h1>The Paris Call turns one</h1>
<p>The Paris Call for Trust and Security in Cyberspace was launched in November 2018 by President Macron. It now has more than a thousand supporters.</p>
<h2>What the Call asks</h2>
<p>Supporters commit to nine principles, including protecting the public core of the Internet and preventing hack-back by non-state actors.</p>
<ul><li>Protect individuals and infrastructure;</li><li>Defend electoral processes;</li></ul>
<p>The anniversary was marked at the Paris Peace Forum, where new signatories were announced.</p>
</article>
<footer><p>© 2019 Cyber Weekly. All rights reserved.</p><a href="/privacy">Privacy Policy</a></footer>
</body></html>
"""


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ---------------------------------------------------------------- formats


def test_markdown_with_front_matter(tmp_path: Path) -> None:
    raw = (RAW / "002_e3a686feb371f8ab.txt").read_text(encoding="utf-8")
    front = "---\ntitle: Macron launches the Call\npublisher: TR Pakistan\ndate: 2018-11-14\nkind: press\norigin: https://example.org/a\n---\n"
    path = write(tmp_path, "My Seed_002.md", front + raw)
    doc = load_document(path)
    assert (doc.title, doc.publisher, doc.date, doc.kind, doc.origin) == (
        "Macron launches the Call",
        "TR Pakistan",
        "2018-11-14",
        "press",
        "https://example.org/a",
    )
    assert doc.doc_id == "my-seed-002"
    assert doc.path == str(path)
    assert doc.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "title:" not in doc.text and "Global Editions" not in doc.text and "Related posts" not in doc.text
    assert "Israel, Iran, Saudi Arabia and North Korea also refrained from signing the pledge." in doc.text


def test_markdown_without_front_matter_uses_first_heading(tmp_path: Path) -> None:
    md = "Intro line before the heading.\n\n## The *nine* principles\n\nSee the [official text](https://example.org) for **all** of them.\nThis line wraps\nonto the next line.\n"
    doc = load_document(write(tmp_path, "principles-notes.md", md))
    assert doc.title == "The nine principles"
    assert (doc.publisher, doc.date, doc.kind, doc.origin) == ("unknown", "", "document", "principles-notes.md")
    assert "See the official text for all of them." in doc.text
    assert "This line wraps onto the next line." in doc.text
    assert "#" not in doc.text and "](" not in doc.text


def test_markdown_escapes_and_html_entities(tmp_path: Path) -> None:
    md = "# Notes\n\nThe text uses \\*literal\\* stars and snake\\_case names in one sentence.\n"
    assert "uses *literal* stars and snake_case names" in load_document(write(tmp_path, "esc.md", md)).text
    html = (
        "<html><head><title>Q&amp;A on the Call</title></head><body><p>"
        + "The Call has nine principles. " * 8
        + "</p></body></html>"
    )
    assert load_document(write(tmp_path, "qa.html", html)).title == "Q&A on the Call"


def test_txt_title_falls_back_to_first_line_after_cleaning(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "003.txt", (RAW / "003_f722c00d60bd1fac.txt").read_bytes()))
    assert doc.title == "Paris Call is similar to Russian initiatives"
    assert "Font size" not in doc.text and "Previous News" not in doc.text
    assert doc.origin == "003.txt" and doc.kind == "document"


def test_txt_between_rules_is_not_front_matter(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "ruled.txt", "---\nThe Paris Call: [draft\n---\nIt was launched in 2018.\n"))
    assert "It was launched in 2018." in doc.text and "draft" in doc.text
    doc = load_document(write(tmp_path, "ruled.md", "---\nJust a sentence between rules.\n---\nBody text.\n"))
    assert doc.text.startswith("Just a sentence between rules.")


def test_txt_legacy_encodings(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "legacy.txt", "Le caf\u00e9 de l'Appel de Paris est ouvert.".encode("cp1252")))
    assert "café" in doc.text
    bom = load_document(write(tmp_path, "bom.txt", b"\xef\xbb\xbfThe Paris Call was launched in 2018."))
    assert bom.text == "The Paris Call was launched in 2018."
    utf16 = load_document(write(tmp_path, "wide.txt", "The Paris Call was launched in 2018.".encode("utf-16")))
    assert utf16.text == "The Paris Call was launched in 2018."


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "anniversary.html", HTML_PAGE))
    assert doc.title == "The Paris Call turns one"
    assert doc.publisher == "Cyber Weekly"
    assert doc.date == "2019-03-04"
    for gone in ["SCRIPT TEXT", "color: red", "About Us", "Join Us", "cookies", "Accept all", "©", "Privacy Policy"]:
        assert gone not in doc.text, gone
    assert "It now has more than a thousand supporters." in doc.text
    assert "What the Call asks" in doc.text
    assert "- Protect individuals and infrastructure;" in doc.text
    assert "\n\n" in doc.text  # paragraphs stay apart


def test_html_title_falls_back_to_title_tag(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Paris Call explainer</title></head><body><div>"
        "<p>The Paris Call is a high-level declaration in favour of an open, secure, stable, accessible "
        "and peaceful cyberspace. It was launched in 2018 and gathers states, companies and civil "
        "society organisations around nine common principles.</p></div></body></html>"
    )
    doc = load_document(write(tmp_path, "explainer.htm", html))
    assert doc.title == "Paris Call explainer"
    assert "nine common principles." in doc.text


def test_saved_web_page_named_txt_is_read_as_html(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "saved.txt", HTML_PAGE))
    assert "SCRIPT TEXT" not in doc.text and "<p>" not in doc.text
    assert "It now has more than a thousand supporters." in doc.text


def test_pdf_text_extracted_and_lines_rejoined(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "brief.pdf", make_pdf(PDF_LINES)))
    assert "launched in Paris on 12 November 2018 by President Emmanuel Macron." in doc.text
    assert "It sets out nine principles (including protection of elections)." in doc.text
    assert doc.title == doc.text.splitlines()[0]  # no metadata: the first (re-joined) line
    assert doc.title.startswith(PDF_LINES[0])
    assert doc.publisher == "unknown" and doc.date == ""


def test_pdf_text_from_every_page(tmp_path: Path) -> None:
    pdf = make_pdf(PDF_LINES, more_pages=[["Page two says the Call now has over a thousand supporters."]])
    doc = load_document(write(tmp_path, "two-pages.pdf", pdf))
    assert "It sets out nine principles" in doc.text
    assert "Page two says the Call now has over a thousand supporters." in doc.text


def test_pdf_metadata(tmp_path: Path) -> None:
    info = {"Title": "Paris Call Brief", "Author": "Test Publisher", "CreationDate": "D:20181112093000+01'00'"}
    doc = load_document(write(tmp_path, "meta.pdf", make_pdf(PDF_LINES, info)))
    assert (doc.title, doc.publisher, doc.date) == ("Paris Call Brief", "Test Publisher", "2018-11-12")


def test_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "page.html", HTML_PAGE)
    doc = load_document(path, overrides={"origin": "https://example.org/anniversary", "kind": "news"})
    assert doc.origin == "https://example.org/anniversary" and doc.kind == "news"
    with pytest.raises(ValueError):
        load_document(path, overrides={"colour": "blue"})


# ---------------------------------------------------------------- refusals


def _refused(path: Path, reason: str, **kwargs: object) -> str:
    with pytest.raises(DocumentError) as info:
        load_document(path, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert message.startswith(f"{path.name}: "), message
    assert re.search(reason, message), message
    assert message.endswith(".") and "\n" not in message
    return message


BAD_FILES: list[tuple[str, bytes, str]] = [
    ("notes.txt", b"", r"the file is empty\.$"),
    ("blank.md", b"  \n\n \t\n", r"contains no text"),
    ("binary.txt", bytes(range(256)) * 4, r"binary"),
    ("controls.md", b"\x01\x02\x03\x04\x05\x06abc\x07\x08" * 20, r"binary"),
    ("x.txt", b"caf\x81\x8d\x8f\x90\x9d au lait", r"not valid UTF-8 text"),
    ("mixed.txt", "café ".encode() + b"na\xefve", r"not valid UTF-8 text"),
    ("photo.md", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, r"PNG image"),
    ("report.txt", make_pdf(PDF_LINES), r"PDF file, not text"),
    ("broken.pdf", make_pdf(PDF_LINES)[:300], r"not a readable PDF \(damaged or truncated\)"),
    ("letter.pdf", b"PK\x03\x04" + b"\x14\x00" * 200, r"ZIP archive .* renamed to \.pdf"),
    ("fake.pdf", b"Just some words, not a PDF at all.", r"does not start with %PDF-"),
    ("scan.pdf", make_pdf([], with_content=False), r"no text could be extracted \(scanned image\?\)"),
    ("plain.html", b"Only words here, no markup at all in this supposed page.", r"does not look like an HTML page"),
    (
        "menu.html",
        b"<html><head><title>Home</title></head><body><nav><a href='/'>Home</a> <a>About Us</a></nav></body></html>",
        r"no article text|no readable text",
    ),
    (
        "empty-body.html",
        b"<!DOCTYPE html><html><head><title>x</title></head><body></body></html>",
        r"no article text|no readable text",
    ),
    (
        "only-debris.txt",
        b"About Us\nJoin Us\nPrivacy Policy\n\xc2\xa9 2024 Example Org\n",
        r"no readable text was left",
    ),
    ("bad-front.md", b"---\ntitle: [unclosed\n---\nBody text is here.\n", r"front matter .* not valid YAML"),
]


@pytest.mark.parametrize(("name", "data", "reason"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_refused_with_a_sentence(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    _refused(write(tmp_path, name, data), reason)


def test_unsupported_extension(tmp_path: Path) -> None:
    message = _refused(write(tmp_path, "data.bin", b"hello"), "unsupported")
    assert message == "data.bin: unsupported file type '.bin' (use .md, .txt, .html, .htm or .pdf)."
    _refused(write(tmp_path, "Makefile", b"all:"), r"\(no extension\)")


def test_too_large(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.truncate(12_300_000)  # sparse: the size is checked before reading
    assert _refused(big, "limit") == "big.pdf: 12.3 MB is over the 10 MB limit."
    small = write(tmp_path, "small.txt", b"The Paris Call. " * 200)
    assert _refused(small, "limit", max_bytes=1000) == "small.txt: 3.2 kB is over the 1 kB limit."


def test_missing_file_and_folder(tmp_path: Path) -> None:
    _refused(tmp_path / "ghost.md", "does not exist")
    (tmp_path / "folder.md").mkdir()
    _refused(tmp_path / "folder.md", "folder, not a file")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from([".pdf", ".html", ".txt", ".md"]),
    st.sampled_from([b"", b"%PDF-1.4\n", b"<html><body><p>", b"---\n"]),
    st.binary(max_size=600),
)
def test_no_library_exception_escapes(tmp_path: Path, ext: str, prefix: bytes, body: bytes) -> None:
    path = write(tmp_path, "fuzz" + ext, prefix + body)
    try:
        load_document(path)
    except DocumentError as err:
        assert str(err).startswith("fuzz" + ext + ": ")


# ---------------------------------------------------------------- folders


def test_load_knowledge_dir(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    write(folder, "b-second.txt", (RAW / "004_05c4b135a9164cd9.txt").read_bytes())
    write(folder, "a-first.md", "# First\n\nThe Paris Call was launched in 2018.")
    write(folder, "a-first.txt", "Same id as the Markdown file, so it is skipped.")
    write(folder, "c-page.html", HTML_PAGE)
    write(folder, "d-brief.pdf", make_pdf(PDF_LINES))
    write(folder, "empty.txt", b"")
    write(folder, "principles.yaml", "principles: []\n")
    write(folder, "README.md", "# About this folder\n\nNot a document.")
    write(folder, ".hidden.md", "Hidden text is not loaded here.")
    write(folder, "notes.docx", b"PK\x03\x04")
    write(folder, "image.png", b"\x89PNG")
    (folder / "sub").mkdir()
    docs, errors = load_knowledge_dir(folder)
    assert [d.doc_id for d in docs] == ["a-first", "b-second", "c-page", "d-brief"]
    assert errors == [
        "a-first.txt: skipped because a-first.md has the same name (document id 'a-first').",
        "empty.txt: the file is empty.",
    ]


def test_load_knowledge_dir_missing(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="does not exist"):
        load_knowledge_dir(tmp_path / "nowhere")
