"""`warehouse shell`: a minimal interactive SQL prompt. Statements end with ';' and may span lines;
what runs them (and prints the rows) is given by the caller."""

from __future__ import annotations

import cmd
from collections.abc import Callable

PROMPT = "warehouse> "
CONTINUATION = "      ...> "
QUIT = {".quit", ".exit", "quit", "exit", "EOF"}  # cmd reads Ctrl-D as "EOF"


class SqlShell(cmd.Cmd):
    prompt = PROMPT

    def __init__(self, run: Callable[[str], None], *, intro: str):
        super().__init__()
        self.run = run
        self.intro = intro
        self.pending: list[str] = []

    def onecmd(self, line: str) -> bool:
        """Collect lines until one ends with ';', then run them as one statement; True leaves the loop."""
        stripped = line.strip()
        if (stripped in QUIT and not self.pending) or stripped == "EOF":
            return True
        if stripped:
            self.pending.append(line)
        if stripped.endswith(";"):
            statement, self.pending = "\n".join(self.pending), []
            self.run(statement)
        self.prompt = CONTINUATION if self.pending else PROMPT
        return False
