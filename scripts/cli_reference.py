"""Write docs/analysts/cli.md, the command reference, from the click commands themselves.

    .venv/bin/python scripts/cli_reference.py          (tests/test_cli.py fails while the file is stale)

Each command's section is what `tracker ... --help` prints, at a fixed width, so the reference says
what the code says; edit the commands' docstrings and options in tracker/cli.py, then run this.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout, installed or not

from tracker.cli import cli  # noqa: E402

REFERENCE = ROOT / "docs" / "analysts" / "cli.md"
WIDTH = 78  # where --help wraps on any terminal 80 columns wide or wider (click: at most 80, less 2)
EXAMPLE = re.compile(r"^\s*Example: (tracker .+?)\s*$", re.M)


def commands(hidden: bool = False) -> Iterator[tuple[str, click.Command]]:
    """('tracker watch add', command) for the group and every command under it, in the order they are declared;
    commands hidden from --help only when asked for."""
    def walk(name: str, command: click.Command) -> Iterator[tuple[str, click.Command]]:
        yield name, command
        for sub_name, sub in getattr(command, "commands", {}).items():
            if hidden or not sub.hidden:
                yield from walk(f"{name} {sub_name}", sub)

    return walk("tracker", cli)


def examples(command: click.Command) -> list[str]:
    """The 'Example: tracker ...' lines of a command's help, as a user would type them."""
    return EXAMPLE.findall(command.help or "")


def help_text(name: str) -> str:
    """What `<name> --help` prints on a terminal 80 columns wide or wider."""
    args = name.split()[1:]
    with cli.make_context("tracker", [], resilient_parsing=True, terminal_width=WIDTH) as ctx:
        for arg in args:
            command = ctx.command.get_command(ctx, arg)
            ctx = command.make_context(arg, [], parent=ctx, resilient_parsing=True)
        return ctx.get_help()


def render() -> str:
    names = [name for name, _ in commands()]
    parts = [
        "# Command reference",
        "",
        "<!-- Written by `python scripts/cli_reference.py` from tracker/cli.py; edit the commands, not this file. -->",
        "",
        "Every `tracker` command as its `--help` prints it. [The command line](command-line.md) says what each is",
        "for, where its state lives and what its exit codes mean.",
        "",
        *(f"- [`{name}`](#{name.replace(' ', '-')})" for name in names),
    ]
    for name in names:
        parts += ["", f"## {name}", "", "```text", help_text(name), "```"]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    REFERENCE.write_text(render(), encoding="utf-8")
    print(REFERENCE.relative_to(ROOT))
