"""The command line's own docstring lists every command the `warehouse` app has (it drifted once)."""

from __future__ import annotations

import warehouse_cli
from warehouse_cli import app


def test_the_docstring_names_every_command():
    commands = {command.name or command.callback.__name__ for command in app.registered_commands}
    missing = sorted(c for c in commands if f" {c.replace('_', '-')}" not in warehouse_cli.__doc__)
    assert not missing, f"warehouse_cli's docstring does not list {missing}"
