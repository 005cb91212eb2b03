"""No import cycle in `bot/`: every import counts, wherever it sits.

Imports under `TYPE_CHECKING` and inside functions are dependencies all the same (a cycle
hidden in a function still means neither module can be understood or moved without the
other), so the walk reads every `import` / `from` statement in each file with `ast`.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "bot"
ALLOWED: set[frozenset[str]] = set()  # no exceptions


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, known: set[str], root: Path = PACKAGE) -> set[str]:
    """The modules of the package that `path` imports (relative imports resolved)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import mod` imports the submodule; `from mod import name` the module
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import bot.x.y` -> the deepest module we know
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    known = set(files)
    return {name: imported_modules(path, known, root) for name, path in files.items()}


def cycles(graph: dict[str, set[str]], allowed: set[frozenset[str]] = frozenset()) -> list[list[str]]:
    """One shortest cycle per strongly connected group of modules, after removing the allowed edges."""
    edges = {a: {b for b in targets if frozenset({a, b}) not in allowed} for a, targets in graph.items()}
    found: list[list[str]] = []
    seen: set[str] = set()
    for start in sorted(edges):
        if start in seen:
            continue
        # breadth-first search from `start` back to itself: the shortest cycle through it
        paths = {start: [start]}
        queue = [start]
        cycle = None
        while queue and cycle is None:
            current = queue.pop(0)
            for nxt in sorted(edges.get(current, ())):
                if nxt == start:
                    cycle = paths[current] + [start]
                    break
                if nxt not in paths:
                    paths[nxt] = paths[current] + [nxt]
                    queue.append(nxt)
        if cycle:
            found.append(cycle)
            seen.update(cycle)
    return found


def test_bot_has_no_import_cycle() -> None:
    found = cycles(import_graph(), ALLOWED)
    assert not found, "import cycles in bot/:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_walk_sees_every_kind_of_import(tmp_path: Path) -> None:
    """A cycle through a TYPE_CHECKING import, a function-level import or a relative import is found."""
    pkg = tmp_path / "bot"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from . import c\n")
    (pkg / "sub" / "c.py").write_text("from ..a import thing\n")
    (pkg / "d.py").write_text("import bot.sub.c\n")
    graph = import_graph(pkg)
    assert graph["bot.a"] == {"bot.sub.b"} and graph["bot.sub.b"] == {"bot.sub.c"} and graph["bot.sub.c"] == {"bot.a"}
    assert graph["bot.d"] == {"bot.sub.c"}
    assert cycles(graph) == [["bot.a", "bot.sub.b", "bot.sub.c", "bot.a"]]
    assert cycles(graph, {frozenset({"bot.sub.c", "bot.a"})}) == []


def _imports_anywhere(path: Path) -> set[str]:
    """Every absolute module name a file imports, wherever the statement sits."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module)
    return names


def test_tests_never_import_benchmarks() -> None:
    """The dependency goes one way: benchmarks use tests/support and tests/fakes, never back."""
    tests = PACKAGE.parent / "tests"
    offenders = sorted(
        str(p.relative_to(tests.parent))
        for p in tests.rglob("*.py")
        if any(n == "benchmarks" or n.startswith("benchmarks.") for n in _imports_anywhere(p))
    )
    assert offenders == []


def test_benchmarks_never_edit_sys_path() -> None:
    """Benchmarks run as modules from the root (`python -m benchmarks.bench_core`)."""
    benchmarks = PACKAGE.parent / "benchmarks"
    offenders = sorted(p.name for p in benchmarks.rglob("*.py") if "sys.path" in p.read_text(encoding="utf-8"))
    assert offenders == []
