"""The command line: --help everywhere, an example in every command's help, clear errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tracker.cli import cli

COMMANDS = ["ingest", "run", "status", "export", "sql", "versions", "evaluate", "import-warc", "forget"]


def test_top_level_help_lists_every_command():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example: tracker " in " ".join(result.output.split())


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
