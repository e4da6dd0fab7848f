"""Every expected failure is a TrackerError and ends in one line on stderr with a documented exit
code; a bug (any other exception) keeps its traceback instead of passing for a user error."""

from __future__ import annotations

import gzip

import pytest
from click.testing import CliRunner

from conftest import run_cli
from support import SAMPLE_WARC
from tracker.cli import cli
from tracker.errors import TrackerError


def one_line_error(home, *args, code=1) -> str:
    """Run the CLI; assert it failed with `code` and exactly one `error: ` line, and return it."""
    proc = run_cli(home, *args, check=False)
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


def test_expected_failures_share_one_root_and_keep_their_old_bases():
    from tracker.evaluate import SetError
    from tracker.fetch.archive import CorruptRecord, NotWarc
    from tracker.health import SourceHealthError
    from tracker.ingest import IngestError
    from tracker.lock import RunLocked
    from tracker.parse.govuk import NotGovukContent
    from tracker.parse.pdf import PdfError
    from tracker.settings import SettingsError
    from tracker.sources import UnsupportedDocument
    from tracker.sources.discovery import SourceDegraded
    from tracker.withdrawals import WithdrawalError

    for cls in (IngestError, PdfError, NotGovukContent, UnsupportedDocument, CorruptRecord, NotWarc, SetError,
                SettingsError, WithdrawalError):
        assert issubclass(cls, TrackerError) and issubclass(cls, ValueError), cls
    for cls in (RunLocked, SourceHealthError, SourceDegraded):
        assert issubclass(cls, TrackerError) and issubclass(cls, RuntimeError), cls


@pytest.mark.parametrize("exc", [ValueError("a bug"), OSError("a bug"), KeyError("a bug")])
def test_a_bug_keeps_its_traceback(tmp_path, monkeypatch, exc):
    monkeypatch.setenv("TRACKER_HOME", str(tmp_path / "home"))

    def broken(settings, width=None):
        raise exc

    monkeypatch.setattr("tracker.report.status_text", broken)
    result = CliRunner().invoke(cli, ["status"])
    assert result.exception is exc  # not turned into "error: ..." and exit 1
    assert "error:" not in result.output


def test_an_expected_failure_is_one_line_with_its_exit_code(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_HOME", str(tmp_path / "home"))

    class Busy(TrackerError):
        exit_code = 4

    def busy(settings, width=None):
        raise Busy("the warehouse is busy,\n  try later")

    monkeypatch.setattr("tracker.report.status_text", busy)
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 4 and result.output == "error: the warehouse is busy, try later\n"


@pytest.mark.parametrize("name, content, message", [
    ("notes.warc.gz", b"hello, this is not a web archive\n" * 20, "is not a WARC file"),
    ("page.warc.gz", b"<html><body>a page</body></html>", "is not a WARC file"),
    ("noise.warc.gz", bytes(range(256)) * 40, "is not a WARC file"),
    ("zipped.warc.gz", gzip.compress(b"hello, this is not a web archive\n" * 20), "is not a WARC file"),
    ("empty.warc.gz", b"", "no WARC records found"),
    ("cut.warc.gz", SAMPLE_WARC.read_bytes()[:6000], "is cut short"),  # just after a record ends
    ("cut-mid-record.warc.gz", SAMPLE_WARC.read_bytes()[:5000], "is cut short"),
])
def test_import_warc_of_something_else_is_one_line_and_imports_nothing(tmp_path, name, content, message):
    home = tmp_path / "home"
    bad = tmp_path / name
    bad.write_bytes(content)
    # a good file given first is not imported either: every file is read through before any is copied
    line = one_line_error(home, "import-warc", str(SAMPLE_WARC), str(bad))
    assert message in line and str(bad) in line
    assert not (home / "archive").exists()


def test_import_warc_of_a_directory_or_a_missing_file_says_so(tmp_path):
    home = tmp_path / "home"
    assert one_line_error(home, "import-warc", str(tmp_path)) == f"error: {tmp_path} is a directory: give WARC files"
    missing = tmp_path / "missing.warc.gz"
    assert one_line_error(home, "import-warc", str(missing)) == f"error: no such file: {missing}"


def test_a_bad_setting_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_TIMEOUT_S", "soon")
    line = one_line_error(tmp_path / "home", "status")
    assert line == "error: TRACKER_TIMEOUT_S must be a number, got 'soon'"
    monkeypatch.delenv("TRACKER_TIMEOUT_S")
    monkeypatch.setenv("TRACKER_DUCKDB_MEMORY_LIMIT", "lots")
    line = one_line_error(tmp_path / "home", "run", "--offline")
    assert line.startswith("error: TRACKER_DUCKDB_MEMORY_LIMIT='lots' is not a memory size (e.g. 64MB): ")


def test_a_home_that_cannot_be_written_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    home = blocker / "home"
    line = one_line_error(home, "import-warc", str(SAMPLE_WARC))
    assert line == f"error: TRACKER_HOME {home} is not writable ({blocker} is not a writable folder)"


def test_evaluate_with_a_malformed_labels_csv_is_one_line(tmp_path, sample_home):
    labels = tmp_path / "labels.csv"
    labels.write_text("url,review_id,number,axis,status\nhttps://x.org/a,kark-2019,two,response,accepted\n")
    line = one_line_error(sample_home, "evaluate", str(labels))
    assert line.startswith(f"error: {labels}: expected columns url, review_id, number, axis, status")
    empty_set = tmp_path / "set"
    empty_set.mkdir()
    assert one_line_error(sample_home, "evaluate", str(empty_set)) == (
        f"error: {empty_set} has no documents.toml with [[document]] entries and no labels.csv")


def test_export_errors_are_one_line(tmp_path, sample_home):
    assert one_line_error(tmp_path / "empty", "export", "--out", str(tmp_path / "out")).startswith(
        "error: no published warehouse at ")
    target = tmp_path / "out.csv"
    target.write_text("")
    assert one_line_error(sample_home, "export", "--out",
                          str(target)) == f"error: {target} is a file: --out takes a folder"


def test_a_database_that_cannot_be_opened_is_one_line(tmp_path, sample_home):
    import duckdb

    not_duckdb = tmp_path / "tracker-20261116T060000.duckdb"
    not_duckdb.write_bytes(b"not a database " * 100)
    line = one_line_error(sample_home, "export", "--out", str(tmp_path / "out"), "--as-of", str(not_duckdb))
    assert line.startswith(f"error: cannot open {not_duckdb}: ") and "not a valid DuckDB database file" in line

    home = tmp_path / "home"
    home.mkdir()
    held = duckdb.connect(str(home / "work.duckdb"))  # e.g. an analyst's DuckDB shell, open read-write
    try:
        line = one_line_error(home, "run", "--offline")
    finally:
        held.close()
    assert line.startswith(f"error: cannot open {home / 'work.duckdb'}: Could not set lock on file")
