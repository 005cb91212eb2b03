"""Per-format extraction: raw bytes to (text, metadata), before debris cleaning.

One function per format, each refusing what it cannot read with a `DocumentError`; library
exceptions (trafilatura, pypdf, lxml) never leave this module. Metadata keys are those of
`Document`: title, publisher, date (ISO when known), kind.
"""

from __future__ import annotations

import io
import re
from html import unescape
from typing import Any

from bot.errors import DocumentError
from bot.ingest.markdown_text import markdown_to_text
from bot.ingest.plaintext import split_front_matter, unwrap_lines
from bot.ingest.sniff import decode_html, decode_text, describe_magic, is_html_document, is_pdf, looks_like_html

Extracted = tuple[str, dict[str, str]]

_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_JUNK_PDF_TITLE = re.compile(r"^(untitled|document\d*|microsoft \w+ - .*)$|\.(docx?|pdf|odt|rtf|pptx?|indd)$", re.I)


def extract_markdown(name: str, data: bytes) -> Extracted:
    """Front matter for metadata; the body's first heading as fallback title."""
    text = decode_text(name, data)
    if is_html_document(text):
        return extract_html(name, data)
    meta, body = split_front_matter(name, text)
    plain, heading = markdown_to_text(body)
    if heading and not meta.get("title"):
        meta["title"] = heading
    return unwrap_lines(plain), meta


def extract_text(name: str, data: bytes) -> Extracted:
    """Plain text; front matter is honoured too, so .txt and .md behave alike."""
    text = decode_text(name, data)
    if is_html_document(text):
        return extract_html(name, data)
    meta, body = split_front_matter(name, text, strict=False)
    return unwrap_lines(body), meta


def extract_html(name: str, data: bytes) -> Extracted:
    """Main text via trafilatura (Markdown output keeps paragraphs), metadata from the page."""
    html = decode_html(name, data)
    if not looks_like_html(html):
        raise DocumentError(f"{name}: this does not look like an HTML page.")
    try:
        import trafilatura

        options: dict[str, Any] = dict(
            output_format="markdown",
            include_formatting=True,
            include_comments=False,
            include_tables=True,
            include_links=False,
            include_images=False,
        )
        body = trafilatura.extract(html, **options) or trafilatura.extract(html, favor_recall=True, **options)
        found = trafilatura.extract_metadata(html)
    except Exception:  # trafilatura/lxml raise many types on hostile markup
        raise DocumentError(f"{name}: the HTML page could not be parsed.") from None
    if not body or not any(ch.isalpha() for ch in body):
        raise DocumentError(f"{name}: no article text could be found in the page.")
    text, heading = markdown_to_text(body)
    meta: dict[str, str] = {}
    if found is not None:
        publisher = (found.sitename or found.author or "").strip()
        for key, value in (("title", found.title), ("publisher", publisher), ("date", found.date)):
            if value and str(value).strip():
                meta[key] = str(value).strip()
    if "title" not in meta:
        tag = _TITLE_TAG.search(html)
        title = " ".join(unescape(tag.group(1)).split()) if tag else heading
        if title:
            meta["title"] = title
    return text, meta


def extract_pdf(name: str, data: bytes) -> Extracted:
    """Text of every page (layout lines re-joined), title/author/creation date from metadata."""
    if not is_pdf(data):
        what = describe_magic(data)
        if what:
            raise DocumentError(f"{name}: this is {what} renamed to .pdf, not a PDF.")
        raise DocumentError(f"{name}: not a PDF file (it does not start with %PDF-).")
    try:
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(f"{name}: the PDF is password-protected.")
        pages = list(reader.pages)
    except DocumentError:
        raise
    except Exception:  # pypdf raises PdfReadError, ValueError, KeyError... on damaged files
        raise DocumentError(f"{name}: not a readable PDF (damaged or truncated).") from None
    texts: list[str] = []
    failures = 0
    for page in pages:
        try:
            texts.append(page.extract_text() or "")
        except Exception:  # one bad page should not lose the others
            failures += 1
    if pages and failures == len(pages):
        raise DocumentError(f"{name}: not a readable PDF (damaged or truncated).")
    text = "\n\n".join(unwrap_lines(t) for t in texts)
    if not any(ch.isalpha() for ch in text):
        raise DocumentError(f"{name}: no text could be extracted (scanned image?).")
    meta: dict[str, str] = {}
    meta.update(_pdf_metadata(reader))
    return text, meta


def _pdf_metadata(reader: object) -> dict[str, str]:
    """Title, author (as publisher) and creation date; damaged metadata is simply skipped."""
    meta: dict[str, str] = {}
    try:
        info = reader.metadata  # type: ignore[attr-defined]
    except Exception:
        return meta
    if info is None:
        return meta
    for key, attr in (("title", "title"), ("publisher", "author")):
        try:
            value = " ".join(str(getattr(info, attr) or "").split())
        except Exception:
            continue
        if value and not (key == "title" and _JUNK_PDF_TITLE.search(value)):
            meta[key] = value
    try:
        created = info.creation_date
        if created is not None:
            meta["date"] = created.date().isoformat()
    except Exception:
        pass
    return meta
