"""Property-based: any upload ends in an OpReport or one KnowledgeError, and a refusal
leaves the serving index version, the CURRENT pointer and knowledge/ exactly as they were."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.errors import KnowledgeError
from bot.knowledge.report import OpReport
from bot.types import Actor, Question
from tests.pdf_factory import make_pdf

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ADMIN = Actor("fuzz", "admin-1", "Admin")
SUFFIXES = (".md", ".txt", ".html", ".htm", ".pdf")


def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF with one line of text."""
    return make_pdf([text])


PDF = tiny_pdf("The Geneva cyber dialogue met in 2020 to discuss norms for cloud providers.")


def snapshot(core) -> tuple:
    folder: Path = core.settings.knowledge_path
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}
    return core.index_version, core.index.store.current(), files


def check_upload(app: App, name: str, data: bytes) -> OpReport | KnowledgeError:
    """The property: an OpReport, or one KnowledgeError after which nothing has changed."""
    core = app.core
    before = snapshot(core)
    try:
        report = app.knowledge.add_bytes(name, data, ADMIN, force=True)
    except KnowledgeError as err:
        assert str(err).strip() and "\n" not in str(err)
        assert snapshot(core) == before
        return err
    assert isinstance(report, OpReport)
    assert report.version == core.index_version != before[0]
    assert report.added and all(n in snapshot(core)[2] for n in report.added)
    return report


@pytest.fixture
def app(make_app) -> App:
    return make_app()


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=3000))
def test_random_bytes_for_every_supported_extension(app, suffix: str, data: bytes) -> None:
    check_upload(app, f"upload{suffix}", data)


texty = st.text(st.characters(exclude_categories=("Cs",)), max_size=800)


@FUZZ
@given(
    suffix=st.sampled_from(SUFFIXES),
    prefix=st.sampled_from(
        ["", "<html>", "<!DOCTYPE html><html><body><p>", "---\ntitle: x\n---\n", "%PDF-1.4\n", "\ufeff"]
    ),
    text=texty,
)
def test_text_like_uploads(app, suffix: str, prefix: str, text: str) -> None:
    check_upload(app, f"note{suffix}", (prefix + text).encode("utf-8"))


@FUZZ
@given(cut=st.integers(min_value=1, max_value=len(PDF) - 1))
def test_truncated_pdfs(app, cut: int) -> None:
    check_upload(app, "cut.pdf", PDF[:cut])


@FUZZ
@given(offset=st.integers(min_value=0, max_value=len(PDF) - 1), junk=st.binary(min_size=1, max_size=16))
def test_corrupted_pdfs(app, offset: int, junk: bytes) -> None:
    check_upload(app, "bad.pdf", PDF[:offset] + junk + PDF[offset + len(junk) :])


def test_a_valid_pdf_is_added(app) -> None:
    result = check_upload(app, "geneva.pdf", PDF)
    assert isinstance(result, OpReport), result
    assert app.core.ask(Question("Geneva cyber dialogue cloud providers", ADMIN)).answered


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document>The Paris Call</w:document>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, data",
    [
        ("renamed.pdf", zip_bytes()),
        ("renamed.html", zip_bytes()),
        ("nobody.html", b"<html><head><title>Only a title</title></head></html>"),
        ("empty-body.html", b"<!DOCTYPE html><html><head></head><body></body></html>"),
        (
            "deep.html",
            b"<html><body>"
            + b"<div>" * 5000
            + b"The Paris Call supports cyber norms. " * 5
            + b"</div>" * 5000
            + b"</body></html>",
        ),
        ("deep-unclosed.htm", b"<html><body>" + b"<div><span><p>" * 5000 + b"Cyber norms text."),
        ("nul.txt", b"Paris\x00Call " * 100),
        ("utf16.txt", "\ufeffThe Paris Call is a text in UTF-16.".encode("utf-16")),
        ("odd-utf16.txt", b"\xff\xfeT\x00h\x00e\x00 "),  # a UTF-16 BOM with an odd byte count
        ("brackets.md", b"# " + b"[" * 5_000 + b"x" + b"]" * 5_000),  # quadratic in plaintext._LINK: kept small
        ("emphasis.md", b"*" * 20_000 + b"Paris Call" + b"_" * 20_000),
        ("spaces.txt", b" \t\r\n" * 1000),
        ("noext", b"The Paris Call."),
        ("evil/../../name.md", b"# Escape\n\nThe Paris Call text that tries to escape the folder."),
    ],
)
def test_hostile_documents(app, name: str, data: bytes) -> None:
    result = check_upload(app, name, data)
    if name.startswith("renamed") or name in ("nobody.html", "empty-body.html", "spaces.txt", "noext"):
        assert isinstance(result, KnowledgeError), result
    if isinstance(result, OpReport):
        folder = app.settings.knowledge_path.resolve()
        assert all((folder / added).resolve().parent == folder for added in result.added)
