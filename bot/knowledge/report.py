"""What an admin operation reports back: one sentence for chat, numbers for the CLI."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OpReport:
    """The outcome of add / remove / rebuild / rollback (refusals raise KnowledgeError)."""

    action: str
    message: str
    version: str
    documents: int
    passages: int
    seconds: float = 0.0
    embedded: int = 0
    reused: int = 0
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    dry_run: bool = False


@dataclass(frozen=True)
class DocumentRecord:
    """One row of `callbot index list`."""

    doc_id: str
    file_name: str
    title: str
    publisher: str
    date: str
    passages: int
    added_at: str
    added_by: str


@dataclass(frozen=True)
class Plan:
    """What a rebuild would change (`index build --dry-run`)."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    passages_before: int
    passages_after: int
    problems: tuple[str, ...]

    def lines(self) -> list[str]:
        out = [
            f"documents added:   {', '.join(self.added) or 'none'}",
            f"documents changed: {', '.join(self.changed) or 'none'}",
            f"documents removed: {', '.join(self.removed) or 'none'}",
            f"passages: {self.passages_before} now, {self.passages_after} after the rebuild",
        ]
        out += [f"problem: {p}" for p in self.problems]
        out.append("dry run: nothing was changed.")
        return out
