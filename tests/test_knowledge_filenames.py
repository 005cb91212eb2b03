"""File names of uploaded documents can never escape knowledge/ (nor hide, nor clash).

`safe_filename` is tested directly (table + property test), then through `add_bytes`,
where the file must land directly in knowledge/ and be indexed under the name reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.index.sources import is_document_file
from bot.ingest.loaders import slugify
from bot.knowledge.filenames import MAX_STEM, safe_filename
from tests.helpers_knowledge import ACTOR, NO_EVAL, SAFE_NAME, manifest_docs, note_md


@pytest.mark.parametrize(
    ("name", "suffix", "expected"),
    [
        ("../../x.md", ".md", "x.md"),
        ("../../../../etc/cron.d/evil.md", ".md", "evil.md"),
        ("/etc/passwd.md", ".md", "passwd.md"),
        (".hidden.md", ".md", "hidden.md"),
        ("...md", ".md", "document.md"),
        ("..", ".md", "document.md"),
        ("", ".txt", "document.txt"),
        ("C:\\evil\\x.md", ".md", "x.md"),
        ("\\\\server\\share\\report.PDF", ".pdf", "report.pdf"),
        ("My Report (final) v2.HTML", ".html", "my-report-final-v2.html"),
        ("Ｆｕｌｌｗｉｄｔｈ.md", ".md", "fullwidth.md"),  # NFKD folds full-width letters
        ("Événement café.txt", ".txt", "evenement-cafe.txt"),
        ("\u202eevil\u202dgnp.md", ".md", "evilgnp.md"),  # right-to-left override dropped
        ("文件.md", ".md", "document.md"),
        ("nul\x00byte.md", ".md", "nul-byte.md"),
        ("notes.md.txt", ".txt", "notes-md.txt"),
        ("-_leading.md", ".md", "leading.md"),
    ],
)
def test_safe_filename_table(name: str, suffix: str, expected: str) -> None:
    assert safe_filename(name, suffix, set()) == expected


def test_safe_filename_is_unique_case_insensitively() -> None:
    taken = {"Report.md", "report-2.md"}
    assert safe_filename("report.md", ".md", taken) == "report-3.md"
    assert safe_filename("REPORT.md", ".md", {"report.md"}) == "report-2.md"


def test_long_names_are_cut() -> None:
    name = safe_filename("a" * 500 + ".md", ".md", set())
    assert name == "a" * MAX_STEM + ".md"


def test_name_is_never_one_the_ingester_skips() -> None:
    """README* files are skipped by the build; an upload named so would be silently lost."""
    name = safe_filename("README.md", ".md", set())
    assert is_document_file_name(name), name
    assert is_document_file_name(safe_filename("readme-notes.txt", ".txt", set()))


def test_name_never_shares_a_document_id_with_an_existing_file() -> None:
    """Two files with one id (report.md / report.txt, my_doc / my-doc) cannot both be indexed."""
    for existing, upload, suffix in [
        ("report.md", "report.txt", ".txt"),
        ("my-doc.md", "my_doc.md", ".md"),
        ("000-paris-call-launch-diplomatie.md", "000 Paris Call launch diplomatie.pdf", ".pdf"),
    ]:
        name = safe_filename(upload, suffix, {existing})
        assert name.endswith(suffix)
        assert slugify(Path(name).stem) != slugify(Path(existing).stem), (existing, name)


def is_document_file_name(name: str) -> bool:
    return not name.upper().startswith("README") and not name.startswith(".")


@settings(max_examples=300, deadline=None)
@given(
    name=st.text(max_size=120),
    suffix=st.sampled_from([".md", ".txt", ".html", ".htm", ".pdf"]),
    taken=st.sets(st.sampled_from(["document.md", "a.md", "a-2.md", "x.txt", "readme.md", "a.txt"]), max_size=5),
)
def test_safe_filename_properties(name: str, suffix: str, taken: set[str]) -> None:
    result = safe_filename(name, suffix, taken)
    assert SAFE_NAME.match(result), result
    assert result.endswith(suffix)
    assert "/" not in result and "\\" not in result and ".." not in result
    assert len(result) <= MAX_STEM + len("-999") + len(suffix)
    assert result.lower() not in {t.lower() for t in taken}
    assert slugify(Path(result).stem) not in {slugify(Path(t).stem) for t in taken}
    assert is_document_file_name(result)


# ---------------------------------------------------------------- through add_bytes

HOSTILE = [
    ("../../x.md", "x.md"),
    ("/etc/passwd.md", "passwd.md"),
    (".hidden.md", "hidden.md"),
    ("C:\\evil\\x.md", "x-2.md"),  # x.md is taken by the first upload
    ("..\\..\\Windows\\System32\\drivers.md", "drivers.md"),
    ("Ｒéｓｕｍé ✓ 🚀.md", "resume.md"),
    ("README.md", None),  # must not become a README the ingester ignores
]


def test_hostile_names_stay_inside_knowledge(make_app, tmp_path: Path) -> None:
    app = make_app(**NO_EVAL)
    core = app.core
    knowledge = core.settings.knowledge_path
    outside_before = {p for p in tmp_path.rglob("*") if knowledge not in p.parents and "index" not in p.parts}
    for i, (name, expected) in enumerate(HOSTILE):
        data = note_md(
            f"Hostile name {i}",
            f"Document number {i} talks about lighthouse keeper rota {i * 7} "
            f"and the harbour pilot roster for week {i + 3}.",
        )
        report = app.knowledge.add_bytes(name, data, ACTOR)
        assert len(report.added) == 1, report
        stored = report.added[0]
        if expected is not None:
            assert stored == expected
        assert SAFE_NAME.match(stored)
        path = knowledge / stored
        assert path.parent == knowledge and path.read_bytes() == data
        assert is_document_file(path)
        assert stored in manifest_docs(core), f"{stored} was written but is not in the index"
    outside_after = {p for p in tmp_path.rglob("*") if knowledge not in p.parents and "index" not in p.parts}
    assert outside_after == outside_before
    assert not Path("/etc/passwd.md").exists()
    assert not any(p.name.startswith(".") for p in knowledge.iterdir())


@pytest.mark.parametrize(
    ("existing", "upload"),
    [("report.md", "report.txt"), ("my-doc.md", "my_doc.md")],
)
def test_upload_sharing_an_id_with_an_existing_file_is_indexed(make_app, existing: str, upload: str) -> None:
    app = make_app(**NO_EVAL)
    core = app.core
    app.knowledge.add_bytes(
        existing,
        note_md("First", "The first file describes the tram depot of Lyon and its signal cabin rebuilt in 2019."),
        ACTOR,
    )
    second = note_md(
        "Second",
        "The second file describes the ferry terminal of Bastia and its ticket office opened in 2020.",
        title="Second",
    )
    report = app.knowledge.add_bytes(upload, second, ACTOR)
    stored = report.added[0]
    assert not report.warnings, report.warnings
    docs = manifest_docs(core)
    assert existing in docs and stored in docs
    assert docs[stored]["title"] == "Second"
