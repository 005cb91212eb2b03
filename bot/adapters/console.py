"""The console adapter: a terminal prompt, or one answer per stdin line when piped."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console

from bot import i18n
from bot.app import App
from bot.errors import CallbotError
from bot.render.console import answer_plain, answer_renderable, principles_text, sources_text
from bot.types import Actor, Question, Turn

HELP = i18n.text("console_help")
HELP_WORDS = {"help": i18n.ENGLISH, "aide": i18n.FRENCH}
NEW_CONVERSATION = ("/new", "new", "/reset", "reset")


class ConsoleAdapter:
    """Has the app's core; turns lines into questions or commands and prints the results."""

    def __init__(self, app: App, stdin: TextIO | None = None, console: Console | None = None) -> None:
        self.core = app.core
        self.stdin = stdin or sys.stdin
        self.console = console or Console(soft_wrap=True, highlight=False)
        self.actor = Actor(platform="console", user_id="local", display_name="console")
        self.turns: list[Turn] = []  # the running chat, for follow-ups (`/new` clears it)

    @property
    def interactive(self) -> bool:
        return self.stdin.isatty() and self.console.is_terminal

    def run(self) -> int:
        if self.interactive:
            self.core.start_watcher()  # serve versions built meanwhile by `callbot index ...`
            self.console.print(f"[bold]callbot[/bold] — index {self.core.index_version}. {HELP}")
        while True:
            try:
                line = self.console.input("[bold cyan]? [/bold cyan]") if self.interactive else self.stdin.readline()
            except (EOFError, KeyboardInterrupt):
                return 0
            if not self.interactive and line == "":
                return 0
            text = line.strip()
            if not text:
                continue
            if text.lower() in ("quit", "exit") and self.interactive:
                return 0
            self.handle(text)

    def handle(self, text: str) -> None:
        """One line: a built-in command or a question."""
        words = text.split()
        command = words[0].lower()
        try:
            if text.lower() in NEW_CONVERSATION:
                self.turns.clear()
                self.console.print("Starting a new conversation.", markup=False)
            elif command in HELP_WORDS and len(words) == 1:
                self.console.print(i18n.text("console_help", HELP_WORDS[command]), markup=False)
            elif command == "principles" and len(words) == 1:
                self.console.print(principles_text(self.core.principles(), markup=self.interactive))
            elif command == "principle" and len(words) == 2 and words[1].isdigit():
                self.console.print(principles_text((self.core.principle(int(words[1])),), markup=self.interactive))
            elif command == "sources" and len(words) == 1:
                self.console.print(sources_text(self.core.sources()), markup=False)
            else:
                self._answer(text)
        except CallbotError as err:
            self.console.print(f"Sorry: {err}", markup=False)

    def _answer(self, text: str) -> None:
        keep = self.core.settings.conversation.max_turns
        context = tuple(self.turns[-keep:]) if keep else ()
        answer = self.core.ask(Question(text, actor=self.actor, context=context))
        self.turns = [*self.turns, Turn(text, answer.lead or answer.message)][-max(keep, 1) :]
        if self.interactive:
            self.console.print(answer_renderable(answer))
        else:
            self.console.print(f"Q: {text}", markup=False)
            self.console.print(answer_plain(answer) + "\n", markup=False)
