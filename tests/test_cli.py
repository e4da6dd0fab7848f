"""The command line: --help everywhere, an example in every command's help that runs and is printed whole,
the command reference generated from the commands, clear errors."""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from support import ROOT
from tracker.cli import cli

_spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "scripts" / "cli_reference.py")
cli_reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cli_reference)

# every command a user runs (groups only gather them), hidden ones too
LEAVES = {name: command for name, command in cli_reference.commands(hidden=True) if not hasattr(command, "commands")}


def test_top_level_help_lists_every_command():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name, command in cli_reference.commands():
        if name.count(" ") == 1:
            assert name.split()[1] in result.output


@pytest.mark.parametrize("name", LEAVES)
def test_every_command_prints_its_example_whole_however_narrow_the_terminal(name):
    examples = cli_reference.examples(LEAVES[name])
    assert examples, f"{name}: no 'Example: tracker ...' in its help"
    result = CliRunner().invoke(cli, [*name.split()[1:], "--help"], terminal_width=50)
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    for example in examples:  # a wrapped one cannot be pasted: put it in a \b paragraph
        assert f"Example: {example}" in lines, f"{name} --help wraps its example:\n{result.output}"


def test_the_command_reference_is_what_the_commands_say():
    reference = cli_reference.REFERENCE
    assert reference.read_text(encoding="utf-8") == cli_reference.render(), (
        f"{reference.relative_to(ROOT)} is out of date: run `python scripts/cli_reference.py` and commit it")
    names = re.findall(r"^## (tracker.*)$", reference.read_text(encoding="utf-8"), re.M)
    assert {"tracker export", "tracker watch add", "tracker reviews"} <= set(names)
    assert "tracker build-sample" not in names  # hidden: a developer's tool, not the analyst's


def _as_run_here(example: str, tmp_path) -> list[str]:
    """The example's arguments, with what it would write outside the test (~/..., an --out folder, the file it
    ingests) moved under tmp_path."""
    args = shlex.split(example)[1:]
    for i, arg in enumerate(args):
        if arg.startswith("~/") or (i and args[i - 1] == "--out"):
            args[i] = str(tmp_path / arg.removeprefix("~/"))
        elif arg == "report.pdf":
            from tracker.samplegen import render_pdf_spec

            (tmp_path / arg).write_bytes(render_pdf_spec("%title A report\n%page\n# A report\n\nIt reports.\n"))
            args[i] = str(tmp_path / arg)
    return args


@pytest.mark.e2e
def test_every_example_in_the_help_runs(sample_home, tmp_path):
    """Each example, in the order the commands are declared, on a copy of the sample's home that also keeps a
    version published before any date an example names (as a home a few weeks old does)."""
    from conftest import run_cli

    home = tmp_path / "home"
    shutil.copytree(sample_home, home)
    runs = [example for command in LEAVES.values() for example in cli_reference.examples(command)]
    days = [date.fromisoformat(d) for d in re.findall(r"--as-of (\d{4}-\d{2}-\d{2})", " ".join(runs))]
    if days:
        older = f"tracker-{min(days) - timedelta(days=1):%Y%m%d}T060000.duckdb"
        shutil.copy(home / "tracker.duckdb", home / "published" / older)
    assert len(runs) >= len(LEAVES)
    for example in runs:
        proc = run_cli(home, *_as_run_here(example, tmp_path), check=False)
        assert proc.returncode == 0, f"{example}\nexit {proc.returncode}\n{proc.stderr}"


def test_status_and_export_before_any_run_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_HOME", str(tmp_path / "home"))
    status = CliRunner().invoke(cli, ["status"])
    assert status.exit_code == 1 and "run `tracker run --offline`" in status.output
    export = CliRunner().invoke(cli, ["export", "--out", str(tmp_path / "out")])
    assert export.exit_code != 0 and "no published warehouse" in export.output


def test_unknown_source_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(cli, ["run", "--offline", "--sources", "dhsc,bbc"])
    assert result.exit_code == 2 and "unknown source(s) bbc" in result.output


@pytest.mark.e2e
def test_export_into_a_path_through_a_file_is_one_line_and_exit_1(sample_home, tmp_path):
    from conftest import run_cli

    (tmp_path / "a-file").write_text("not a folder")
    proc = run_cli(sample_home, "export", "--out", str(tmp_path / "a-file" / "x"), check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr == f"error: cannot write the exports into {tmp_path / 'a-file' / 'x'}: Not a directory " \
                          "(a part of that path is a file)\n"
