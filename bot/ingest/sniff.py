"""Content sniffing and text decoding: trust the bytes, not the file name.

Admins upload files from chat, so a Word file renamed .pdf or a binary named .txt must be
refused with a sentence a person understands, before any parser sees it.

Decoding policy (text, Markdown and HTML):
* a UTF-8 BOM is dropped; a UTF-16 BOM means UTF-16 (Windows editors save that way);
* otherwise the bytes must be UTF-8;
* cp1252 (the usual "ANSI" legacy encoding) is accepted only when the bytes hold no
  UTF-8 multibyte sequence at all (so a damaged UTF-8 file is refused, not turned into
  mojibake), decode strictly, and are mostly ASCII, as Western text in cp1252 is;
* anything else is "not valid UTF-8 text". HTML may also name its charset in a meta tag.
"""

from __future__ import annotations

import codecs
import re

from bot.errors import DocumentError

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (for example a Word, Excel or PowerPoint file)"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "an old-style Microsoft Office file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "a program"),
    (b"{\\rtf", "an RTF document"),
)
_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HTML_MARKERS = re.compile(
    r"<(!doctype\s+html|html|head|body|title|meta|article|main|section|div|p|h[1-6]|table|ul)\b",
    re.I,
)
_HTML_DOCUMENT = re.compile(r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)\b", re.I | re.S)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)


def describe_magic(data: bytes) -> str | None:
    """What a known binary (or PDF) signature says the file is, or None."""
    head = data.lstrip(b" \t\r\n")[:8]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    return None


def is_pdf(data: bytes) -> bool:
    return data.lstrip(b" \t\r\n").startswith(b"%PDF-")


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or more than 1% control characters, mean this is not a text file."""
    if b"\x00" in data:
        return True
    return len(_CONTROL_BYTES.findall(data)) > max(2, len(data) // 100)


def looks_like_html(text: str) -> bool:
    """Some recognisable HTML structure in the first 64 kB."""
    return len(_HTML_MARKERS.findall(text[:65536])) >= 1


def is_html_document(text: str) -> bool:
    """Starts like a full HTML page (used to treat a saved page named .txt as HTML)."""
    return bool(_HTML_DOCUMENT.match(text[:4096]))


def _bom_decode(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return None


def _cp1252_plausible(data: bytes) -> str | None:
    if b"\x00" in data or _UTF8_MULTIBYTE.search(data):
        return None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    return text if non_ascii <= max(1, len(text) // 10) else None


def check_text_bytes(name: str, data: bytes) -> None:
    """Refuse a would-be text file that is really a PDF, an archive, an image or binary."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    what = describe_magic(data)
    if what == "a PDF file":
        raise DocumentError(f"{name}: this is a PDF file, not text (rename it to .pdf).")
    if what:
        raise DocumentError(f"{name}: this is {what}, not a text document.")
    if looks_binary(data):
        raise DocumentError(f"{name}: this looks like a binary file, not text.")


def _bom_or_utf8(data: bytes) -> str | None:
    """Text decoded by its byte-order mark, else as UTF-8; None if neither works."""
    try:
        bom = _bom_decode(data)
        return bom if bom is not None else data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_text(name: str, data: bytes) -> str:
    """Bytes of a text or Markdown file as str, by the policy in the module docstring."""
    check_text_bytes(name, data)
    text = _bom_or_utf8(data)
    if text is not None:
        return text
    text = _cp1252_plausible(data)
    if text is None:
        raise DocumentError(f"{name}: not valid UTF-8 text (save it as UTF-8 and try again).")
    return text


def decode_html(name: str, data: bytes) -> str:
    """Bytes of an HTML page as str: BOM, UTF-8, the meta charset, then cp1252."""
    check_text_bytes(name, data)
    text = _bom_or_utf8(data)
    if text is not None:
        return text
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return data.decode("cp1252", errors="replace")
