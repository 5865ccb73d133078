"""Every CLI command is documented in the README (sqlite-utils' rule: what the CLI offers, the docs say)."""

from __future__ import annotations

from pathlib import Path

import typer.main

from newstrace.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: typer.Typer, prefix: str = "newstrace") -> list[str]:
    cli = typer.main.get_command(group)
    names = []
    for name, cmd in cli.commands.items():  # type: ignore[attr-defined]
        if hasattr(cmd, "commands"):
            names += [f"{prefix} {name} {sub}" for sub in cmd.commands]
        else:
            names.append(f"{prefix} {name}")
    return names


def test_every_command_is_in_the_readme() -> None:
    commands = _commands(app)
    assert {"newstrace trace", "newstrace check", "newstrace serve", "newstrace pan13"} <= set(commands)
    missing = [c for c in commands if c not in README]
    assert not missing, f"commands not documented in README.md: {missing}"
