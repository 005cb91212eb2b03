"""Every refusal of `index add` for a bad document: one clear sentence, nothing changed.

Each case checks the message, that knowledge/ and the serving version are exactly as
before (no version built: nothing was even embedded), and that the refused attempt is in
the audit log with who tried it.
"""

from __future__ import annotations

import io
import threading
import zipfile
from pathlib import Path

import pytest

from bot.errors import KnowledgeError
from tests.helpers_knowledge import (
    ACTOR,
    CABLES,
    HTML_PAGE,
    PDF_LINES,
    GatedEmbedder,
    assert_one_sentence_refusal,
    assert_unchanged,
    latest_audit,
    make_pdf,
    note_md,
    snapshot,
)

LIMIT = 6_000  # above every seed document, so the seeds still build


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document>Paris Call</w:document>")
    return buf.getvalue()


SEED = Path(__file__).resolve().parents[1] / "knowledge" / "001-wef-joins-paris-call.md"

CASES = [
    # (upload name, bytes, message pattern)
    ("big.md", b"# Big\n\n" + b"The harbour pilots met again to discuss tides. " * 200, r"over the 0\.006 MB limit"),
    ("report.pdf", zip_bytes(), r"named \.pdf but its content is a zip archive"),
    (
        "notes.pdf",
        b"Just some plain words about the Paris Call, not a PDF at all.",
        r"named \.pdf but its content is something else",
    ),
    (
        "page.html",
        b"Hello, this is plain text pretending to be a web page.",
        r"named \.html but does not look like HTML",
    ),
    ("page.htm", zip_bytes(), r"named \.htm but does not look like HTML"),
    ("brief.txt", make_pdf(PDF_LINES), r"the content is a PDF; name it \.pdf"),
    ("brief.md", make_pdf(PDF_LINES), r"the content is a PDF; name it \.pdf"),
    ("slides.docx", zip_bytes(), r"unsupported file type \(\.docx\)"),
    ("noext", b"some text", r"unsupported file type \(no extension\)"),
    ("empty.md", b"", r"the file is empty"),
    ("blank.txt", b"  \n\t \r\n ", r"the file is empty"),
    ("archive.txt", zip_bytes(), r"ZIP archive .*not a text document"),
    ("binary.txt", b"abc\x00\x01\x02\x03def" * 50, r"binary file, not text"),
    ("latin.txt", "Café résumé".encode() + b" \xe9\xe8\xff broken", r"not valid UTF-8 text"),
    ("scan.pdf", make_pdf([], with_content=False), r"no text could be extracted"),
    ("broken.pdf", make_pdf(PDF_LINES)[:120], r"not a readable PDF"),
    ("symbols.md", b"!!! ??? ... --- ***\n", r"no readable text|contains no text"),
    (
        "nav.html",
        b"<html><body><nav><a href='/'>1</a></nav></body></html>",
        r"no article text|does not look|no readable text",
    ),
    ("copy-of-seed.md", SEED.read_bytes(), r"already in the knowledge base as 001-wef-joins-paris-call\.md"),
]


@pytest.mark.parametrize(("name", "data", "pattern"), CASES, ids=[c[0] for c in CASES])
def test_add_bytes_refusals_change_nothing(make_app, fake_embedder, name: str, data: bytes, pattern: str) -> None:
    app = make_app(embedder=fake_embedder, limits={"max_document_bytes": LIMIT})
    core = app.core
    before = snapshot(core)
    embedded = fake_embedder.embedded_texts
    with pytest.raises(KnowledgeError, match=pattern) as caught:
        app.knowledge.add_bytes(name, data, ACTOR)
    message = str(caught.value)
    assert message.startswith(f"{name}: ")
    assert message.endswith("Nothing was changed.")
    assert_one_sentence_refusal(message)
    assert_unchanged(core, before)
    assert fake_embedder.embedded_texts == embedded, "a refused upload must not even be embedded"
    entry = latest_audit(app.knowledge)
    assert (entry.platform, entry.user_id, entry.user_name) == ("test", "U-42", "Alice")
    assert (entry.action, entry.target, entry.outcome) == ("add", name, "refused")
    assert entry.detail == message


def test_duplicate_of_an_earlier_upload_names_its_stored_file(make_app) -> None:
    app = make_app()
    core = app.core
    first = app.knowledge.add_bytes("../Cables Pact.md", CABLES, ACTOR)
    stored = first.added[0]
    before = snapshot(core)
    with pytest.raises(KnowledgeError, match=rf"already in the knowledge base as {stored}\. Nothing was changed\.$"):
        app.knowledge.add_bytes("other-name.md", CABLES, ACTOR)
    assert_unchanged(core, before)


def test_a_batch_is_all_or_nothing(make_app, tmp_path: Path) -> None:
    """add_paths with one bad file among good ones: nothing at all is written."""
    app = make_app()
    core = app.core
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "a-good.md").write_bytes(CABLES)
    (batch / "b-good.html").write_text(HTML_PAGE, encoding="utf-8")
    (batch / "c-bad.pdf").write_bytes(b"plain text in disguise")
    before = snapshot(core)
    with pytest.raises(KnowledgeError, match=r"^c-bad\.pdf: .*Nothing was changed\.$"):
        app.knowledge.add_paths([batch], ACTOR)
    assert_unchanged(core, before)
    assert latest_audit(app.knowledge).outcome == "refused"


def test_the_same_file_twice_in_one_batch_is_a_duplicate(make_app, tmp_path: Path) -> None:
    app = make_app()
    core = app.core
    one, two = tmp_path / "one.md", tmp_path / "two.md"
    one.write_bytes(CABLES)
    two.write_bytes(CABLES)
    before = snapshot(core)
    duplicate = r"^two\.md: the same document is already in the knowledge base as one\.md"
    with pytest.raises(KnowledgeError, match=duplicate):
        app.knowledge.add_paths([one, two], ACTOR)
    assert_unchanged(core, before)


@pytest.mark.parametrize("kind", ["missing file", "empty folder", "folder of other files"])
def test_add_paths_refuses_missing_and_empty(make_app, tmp_path: Path, kind: str) -> None:
    app = make_app()
    core = app.core
    target = tmp_path / "incoming"
    if kind == "empty folder":
        target.mkdir()
    elif kind == "folder of other files":
        target.mkdir()
        (target / "slides.docx").write_bytes(zip_bytes())
        (target / "README.md").write_bytes(CABLES)
        (target / ".hidden.md").write_bytes(CABLES)
    before = snapshot(core)
    with pytest.raises(KnowledgeError) as caught:
        app.knowledge.add_paths([target], ACTOR)
    assert_one_sentence_refusal(str(caught.value))
    assert str(target) in str(caught.value)
    assert_unchanged(core, before)
    entry = latest_audit(app.knowledge)
    assert (entry.action, entry.outcome, entry.target) == ("add", "refused", str(target))


def test_size_limit_is_checked_on_the_bytes_not_the_name(make_app) -> None:
    """Exactly at the limit is accepted; one byte more is refused."""
    app = make_app(limits={"max_document_bytes": LIMIT})
    core = app.core
    body = b"# Tides\n\nThe harbour pilots of Brest met to discuss spring tides and mooring lines. "
    exact = body + b"x" * (LIMIT - len(body) - 1) + b"\n"
    assert len(exact) == LIMIT
    report = app.knowledge.add_bytes("tides.md", exact, ACTOR)
    assert report.added == ("tides.md",)
    before = snapshot(core)
    with pytest.raises(KnowledgeError, match="limit"):
        app.knowledge.add_bytes("tides-2.md", exact + b"y", ACTOR)
    assert_unchanged(core, before)


def test_refusal_after_validation_restores_every_file(make_app) -> None:
    """A build that crashes after the files were copied in removes them again."""
    embedder = GatedEmbedder()
    app = make_app(embedder=embedder)
    core = app.core
    before = snapshot(core)
    embedder.fail_in.add(threading.current_thread().name)
    with pytest.raises(KnowledgeError, match=r"the rebuild failed \(RuntimeError\); the serving index is unchanged\."):
        app.knowledge.add_bytes("cables.md", CABLES, ACTOR, title="Cables")
    embedder.fail_in.clear()
    assert_unchanged(core, before)
    entry = latest_audit(app.knowledge)
    assert (entry.action, entry.outcome) == ("add", "failed")
    assert "embedding backend crashed" in entry.detail
    # and the same upload then goes through
    assert app.knowledge.add_bytes("cables.md", CABLES, ACTOR).added == ("cables.md",)


def test_note_md_is_valid(tmp_path: Path) -> None:
    """Guard for the helpers: the fixture documents themselves load."""
    from bot.knowledge.validation import validate_upload

    for name, data in [("a.md", CABLES), ("b.md", note_md("T", "A sentence about ferries and tides in Brest."))]:
        assert validate_upload(name, data, staging=tmp_path / name, max_bytes=LIMIT, existing={})
