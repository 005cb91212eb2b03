"""`callbot index build|add|remove|list|rollback|log` through the real CLI entry point.

In-process tests run `bot.cli.main.main(argv)` (exit codes and the one-line error
mapping included) with the core's embedder swapped for the fake one; each call builds a
fresh AppContext and core, as a separate process would. The read-only commands are also
run with the real default config to show they never load (or export) a model, and one
`real_model` test runs `python -m bot` in subprocesses with the real ONNX embedder.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.app import create_app
from bot.cli.context import AppContext
from bot.cli.main import main
from bot.index.sources import sidecar_for
from tests.conftest import EVAL_FILE, REPO
from tests.fake_embedder import FakeEmbedder
from tests.helpers_knowledge import CABLES, HTML_PAGE, LocalServer, folder_hashes, respond

USER = AppContext.cli_actor().user_id


@pytest.fixture(autouse=True)
def restore_logging():
    """The CLI configures the root logger; put it back for the other tests."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


class Cli:
    def __init__(self, tmp_path: Path, knowledge: Path, capsys, **knowledge_ops) -> None:
        self.knowledge = knowledge
        self.index = tmp_path / "index"
        self.config = tmp_path / "config.yaml"
        ops = {"quality_eval_file": str(EVAL_FILE), **knowledge_ops}
        self.config.write_text(yaml.safe_dump({"knowledge_ops": ops}), encoding="utf-8")
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        argv = ["--config", str(self.config), "--knowledge", str(self.knowledge), "--index", str(self.index), *args]
        with pytest.raises(SystemExit) as done:
            main(argv)
        out = self.capsys.readouterr()
        return done.value.code, out.out, out.err


@pytest.fixture
def fake_cli(tmp_path: Path, knowledge_copy: Path, capsys, monkeypatch) -> Cli:
    embedder = FakeEmbedder()
    monkeypatch.setattr("bot.cli.context.create_app", lambda settings: create_app(settings, embedder=embedder))
    return Cli(tmp_path, knowledge_copy, capsys)


def test_cli_add_list_dry_run_remove_rollback_log(fake_cli: Cli, tmp_path: Path) -> None:
    run = fake_cli
    code, out, err = run("index", "build")
    assert code == 0, err
    assert out.startswith("Rebuilt the index. Index version v") and "5 documents, 44 passages" in out
    first = (run.index / "CURRENT").read_text().strip()

    source = tmp_path / "Cable Pact.md"
    source.write_bytes(CABLES)
    code, out, err = run(
        "index",
        "add",
        str(source),
        "--title",
        "Baltic Cable Pact",
        "--publisher",
        "Baltic Council",
        "--date",
        "2021-03-03",
    )
    assert code == 0, err
    assert out.splitlines()[0].startswith("Added cable-pact.md (Baltic Cable Pact). Index version v")
    assert "6 documents" in out
    assert "texts embedded: " in out and "vectors reused: " in out
    assert yaml.safe_load(sidecar_for(run.knowledge / "cable-pact.md").read_text()) == {
        "title": "Baltic Cable Pact",
        "publisher": "Baltic Council",
        "date": "2021-03-03",
    }

    code, out, _ = run("index", "list")
    rows = {line.split("\t")[0]: line.split("\t") for line in out.splitlines()}
    assert len(rows) == 6
    assert rows["cable-pact"][1:4] == ["Baltic Cable Pact", "Baltic Council", "2021-03-03"]
    assert rows["cable-pact"][-1].endswith(f"by cli:{USER}")
    assert rows["000-paris-call-launch-diplomatie"][-1] == "added with the repository by -"

    (run.knowledge / "extra.md").write_bytes(b"# Extra\n\nThe tram depot of Lyon rebuilt its signal cabin in 2019.\n")
    before = (
        folder_hashes(run.knowledge),
        (run.index / "CURRENT").read_text(),
        sorted(p.name for p in (run.index / "versions").iterdir()),
    )
    code, out, _ = run("index", "build", "--dry-run")
    assert code == 0
    lines = out.splitlines()
    assert lines[:3] == ["documents added:   extra.md", "documents changed: none", "documents removed: none"]
    assert lines[3].startswith("passages: 46 now, 47 after")
    assert lines[-1] == "dry run: nothing was changed."
    assert before == (
        folder_hashes(run.knowledge),
        (run.index / "CURRENT").read_text(),
        sorted(p.name for p in (run.index / "versions").iterdir()),
    )
    (run.knowledge / "extra.md").unlink()

    code, out, err = run("index", "remove", "cable-pact")
    assert code == 0, err
    assert out.startswith("Removed cable-pact.md. Index version v")
    assert not (run.knowledge / "cable-pact.md").exists()

    code, out, err = run("index", "rollback")
    assert code == 0, err
    assert out.startswith("Rolled back to index version v") and "6 documents" in out
    assert (run.knowledge / "cable-pact.md").read_bytes() == CABLES

    code, out, _ = run("index", "log")
    log = [line.split("\t") for line in out.splitlines()]
    assert [(r[1], r[2], r[4]) for r in log] == [
        (f"cli:{USER}", "rollback", "ok"),
        (f"cli:{USER}", "remove", "ok"),
        (f"cli:{USER}", "add", "ok"),
        (f"cli:{USER}", "build", "ok"),
    ]
    assert log[2][3] == "cable-pact.md"
    code, out, _ = run("index", "log", "--limit", "1")
    assert len(out.splitlines()) == 1
    assert (run.index / "CURRENT").read_text().strip() != first


def test_cli_refusals_are_one_line_with_exit_code_1(fake_cli: Cli, tmp_path: Path) -> None:
    run = fake_cli
    assert run("index", "build")[0] == 0
    fake = tmp_path / "report.pdf"
    fake.write_bytes(b"PK\x03\x04 a zip file, really")
    current = (run.index / "CURRENT").read_text()
    files = folder_hashes(run.knowledge)
    cases = [
        (
            ("index", "add", str(fake)),
            "callbot: report.pdf: the file is named .pdf but its content is a zip archive, "
            "not a PDF. Nothing was changed.",
        ),
        (
            ("index", "add", str(tmp_path / "missing.md")),
            f"callbot: {tmp_path / 'missing.md'}: no such file. Nothing was changed.",
        ),
        (
            ("index", "add", "http://127.0.0.1:9/doc.html"),
            "callbot: http://127.0.0.1:9/doc.html: 127.0.0.1 is a "
            "private, loopback or reserved address (127.0.0.1), which the config does not allow. Nothing was changed.",
        ),
        (
            ("index", "add", "ftp://example.org/x.txt"),
            "callbot: ftp://example.org/x.txt: only http and https addresses can be added. Nothing was changed.",
        ),
        (
            ("index", "remove", "ghost"),
            "callbot: no document 'ghost' in the knowledge base (see `index list`); nothing was changed.",
        ),
        (
            (
                "index",
                "rollback",
            ),
            "callbot: there is no earlier index version to return to; nothing was changed.",
        ),
    ]
    for args, message in cases:
        code, out, err = run(*args)
        assert (code, out, err) == (1, "", message + "\n")
    assert (run.index / "CURRENT").read_text() == current
    assert folder_hashes(run.knowledge) == files
    code, out, _ = run("index", "log")
    assert [line.split("\t")[4] for line in out.splitlines()][: len(cases)] == ["refused"] * len(cases)
    code, _, err = run("index", "add")
    assert code == 2 and err.startswith("callbot: Missing argument")


def test_cli_add_url(tmp_path: Path, knowledge_copy: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr("bot.cli.context.create_app", lambda settings: create_app(settings, embedder=FakeEmbedder()))
    run = Cli(tmp_path, knowledge_copy, capsys, allow_private_urls=True)
    with LocalServer() as server:
        server.routes["/drill"] = respond(HTML_PAGE.encode())
        code, out, err = run("index", "add", server.url("/drill"), "--publisher", "Port of Rotterdam")
    assert code == 0, err
    assert out.startswith("Added drill.html (Harbour cyber drill). Index version v")
    assert yaml.safe_load(sidecar_for(knowledge_copy / "drill.html").read_text()) == {
        "publisher": "Port of Rotterdam",
        "origin": server.url("/drill"),
    }


def test_read_only_commands_never_load_a_model(tmp_path: Path, knowledge_copy: Path, capsys) -> None:
    """With the real default embedding config: list, log, dry run and status need no model."""
    from bot.embedding import onnx_export
    from tests.conftest import make_settings
    from tests.helpers_knowledge import ACTOR

    app = create_app(make_settings(tmp_path, knowledge_copy), embedder=FakeEmbedder())
    app.core.start()
    app.knowledge.add_bytes("cables.md", CABLES, ACTOR)
    exports = onnx_export.export_count
    run = Cli(tmp_path, knowledge_copy, capsys)
    code, out, _ = run("index", "list")
    assert code == 0 and len(out.splitlines()) == 6 and "cables\tUndersea cable protection" in out
    code, out, _ = run("index", "log")
    assert code == 0 and out.split("\t")[1:5] == ["test:Alice", "add", "cables.md", "ok"]
    code, out, _ = run("index", "build", "--dry-run")
    assert code == 0 and out.splitlines()[-1] == "dry run: nothing was changed."
    code, out, _ = run("index", "status")
    assert code == 0 and "stale: it was built with fake-bow@test" in out
    assert onnx_export.export_count == exports
    assert not (tmp_path / "index" / "models").exists()


@pytest.mark.real_model
def test_real_cli_in_subprocesses(tmp_path: Path, knowledge_copy: Path) -> None:
    """`python -m bot ... index add / list / log` and `ask`, with the real ONNX model."""
    index = tmp_path / "index"
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"knowledge_ops": {"quality_eval_file": str(EVAL_FILE)}}), encoding="utf-8")
    source = tmp_path / "cables.md"
    source.write_bytes(CABLES)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    env.pop("CALLBOT_CONFIG", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        cmd = [
            sys.executable,
            "-m",
            "bot",
            "--config",
            str(config),
            "--knowledge",
            str(knowledge_copy),
            "--index",
            str(index),
            *args,
        ]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=240)

    done = run("index", "add", str(source), "--title", "Baltic Cable Pact")  # builds the index first
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Added cables.md (Baltic Cable Pact). Index version v")
    assert "6 documents" in done.stdout
    assert "Traceback" not in done.stderr
    manifest = json.loads((index / "versions" / (index / "CURRENT").read_text().strip() / "manifest.json").read_text())
    assert manifest["model_id"] != "fake-bow@test" and "cables.md" in manifest["documents"]

    done = run("ask", "--json", "When was the Baltic cable security pact signed?")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["index_version"] == manifest_version(index)
    assert answer["passages"][0]["title"] == "Baltic Cable Pact"

    done = run("index", "list")
    assert done.returncode == 0 and "cables\tBaltic Cable Pact\tunknown" in done.stdout
    done = run("index", "add", str(source))
    assert done.returncode == 1
    assert done.stderr.strip().endswith("already in the knowledge base as cables.md. Nothing was changed.")
    assert done.stdout == ""
    done = run("index", "log")
    outcomes = [line.split("\t")[2:5] for line in done.stdout.splitlines()]
    assert outcomes == [
        ["add", "cables.md", "refused"],
        ["add", "cables.md", "ok"],
        ["build", str(knowledge_copy), "ok"],
    ]  # the first build is audited too


def manifest_version(index: Path) -> str:
    return (index / "CURRENT").read_text().strip()
