"""`tracker import-warc` and the archive index are bounded and agree: a record is hashed a chunk at a time
under TRACKER_MAX_RECORD_BYTES, and every record is checked at import as the index reads it, so an imported
file is indexed whole (never silently left half-indexed)."""

from __future__ import annotations

import gzip
import hashlib
import io
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from support import SAMPLE_WARC
from tracker.cli import cli
from tracker.fetch.archive import CorruptRecord, check_warc, iter_records

MB = 1 << 20


def write_warc(path: Path, *, uri: str | None = "https://www.gov.uk/a", date: str = "2026-11-16T06:00:00Z",
               status: str = "200 OK", body: bytes = b"<html><title>a</title></html>", published: str | None = None,
               zeros: int = 0, encoding: str | None = None) -> Path:
    """One response record (after a good one, so a half-indexed file would show); `zeros`: a body of that
    many zero bytes, streamed, so the test never holds it."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        good = writer.create_warc_record("https://www.gov.uk/first", "response", payload=io.BytesIO(b"<p>x</p>"),
                                         http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                                                       protocol="HTTP/1.1"),
                                         warc_headers_dict={"WARC-Date": "2026-11-16T06:00:00Z"})
        writer.write_record(good)
        http = StatusAndHeaders(status, [("Content-Type", "text/html")]
                                + ([("Content-Encoding", encoding)] if encoding else []), protocol="HTTP/1.1")
        if uri and not uri.startswith("http"):  # warcio reads no HTTP head under another scheme: it is all block
            body, http = http.to_bytes() + body, None
        payload = _Zeros(zeros) if zeros else io.BytesIO(body)
        headers = {"WARC-Date": date, **({"X-Tracker-Published": published} if published else {})}
        record = writer.create_warc_record(uri or "https://www.gov.uk/x", "response", payload=payload,
                                           length=zeros or len(body), http_headers=http, warc_headers_dict=headers)
        if uri is None:
            record.rec_headers.remove_header("WARC-Target-URI")
        writer.write_record(record)
    return path


class _Zeros(io.RawIOBase):
    def __init__(self, size: int):
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.left)
        buffer[:n] = b"\0" * n
        self.left -= n
        return n


def import_cli(tmp_path: Path, *files: Path, cap: int | None = None):
    env = {"TRACKER_HOME": str(tmp_path / "home")}
    if cap:
        env["TRACKER_MAX_RECORD_BYTES"] = str(cap)
    return CliRunner().invoke(cli, ["import-warc", *map(str, files)], env=env)


def test_a_gzip_bomb_record_is_refused_at_import_without_being_held(tmp_path):
    bomb = write_warc(tmp_path / "bomb.warc.gz", zeros=96 * MB)
    assert bomb.stat().st_size < 200_000  # 96 MB of zeros in a small file
    tracemalloc.start()
    try:
        with pytest.raises(CorruptRecord, match="more than the 1048576 allowed"):
            check_warc(bomb, max_record_bytes=MB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * MB, f"peak {peak / MB:.1f} MB while checking a 96 MB record"
    result = import_cli(tmp_path, bomb, cap=MB)
    assert result.exit_code == 1 and "TRACKER_MAX_RECORD_BYTES" in result.output
    assert not (tmp_path / "home" / "archive").exists()


def test_a_gzip_body_inside_a_tiny_warc_is_refused_as_it_inflates(tmp_path):
    """The issue's bomb: an HTTP body sent with Content-Encoding: gzip, gzip again in the WARC, so a file of
    about a kilobyte declares a small record whose body inflates to hundreds of megabytes."""
    body = gzip.compress(b"\0" * 128 * MB, 9)
    bomb = write_warc(tmp_path / "double.warc.gz", body=body, encoding="gzip")
    assert bomb.stat().st_size < 4096
    tracemalloc.start()
    try:
        with pytest.raises(CorruptRecord, match="inflates to more than the 1048576 bytes allowed"):
            check_warc(bomb, max_record_bytes=MB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * MB, f"peak {peak / MB:.1f} MB while checking a body inflating to 128 MB"


def test_a_large_record_under_the_cap_is_hashed_in_chunks(tmp_path):
    big = write_warc(tmp_path / "big.warc.gz", zeros=24 * MB)
    tracemalloc.start()
    try:
        infos = [info for info, _ in iter_records(big, with_body=False, max_record_bytes=32 * MB)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert infos[1].sha256 == hashlib.sha256(b"\0" * 24 * MB).hexdigest()
    assert peak < 16 * MB, f"peak {peak / MB:.1f} MB while hashing a 24 MB record"


@pytest.mark.parametrize("record, message", [
    ({"date": "yesterday"}, "no readable WARC-Date ('yesterday')"),
    ({"published": "16/11/2026"}, "no readable X-Tracker-Published ('16/11/2026')"),
    ({"status": "abc Weird"}, "no readable HTTP status ('abc')"),
    ({"status": "999 Weird"}, "no readable HTTP status ('999')"),
    ({"uri": "file:///etc/passwd"}, "WARC-Target-URI is not an http(s) URL"),
    ({"uri": None}, "has no WARC-Target-URI"),
])
def test_a_record_the_index_could_not_record_is_refused_at_import(tmp_path, record, message):
    bad = write_warc(tmp_path / "bad.warc.gz", **record)
    result = import_cli(tmp_path, SAMPLE_WARC, bad)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: bad.warc.gz: record at offset ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "home" / "archive").exists()


def test_what_import_admits_the_index_reads_whole(tmp_path):
    from tracker.settings import Settings
    from tracker.warehouse.db import connect, migrate

    good = write_warc(tmp_path / "good.warc.gz", published="2026-11-01")
    assert import_cli(tmp_path, good).exit_code == 0
    settings = Settings.from_env({"TRACKER_HOME": str(tmp_path / "home")})
    con = connect(":memory:")
    migrate(con, settings.sql_dir)
    from tracker.warehouse.load import index_archive
    assert index_archive(con, settings.archive_dir, settings.max_record_bytes) == 2
    assert con.execute("SELECT count(*) FROM processing_errors").fetchone()[0] == 0


def test_the_index_refuses_an_oversized_record_without_holding_it(tmp_path):
    """A file put in the archive folder by hand, past import: the index records why and stays bounded."""
    from tracker.settings import Settings
    from tracker.warehouse.db import connect, migrate
    from tracker.warehouse.load import index_archive

    settings = Settings.from_env({"TRACKER_HOME": str(tmp_path / "home")})
    settings.archive_dir.mkdir(parents=True)
    write_warc(settings.archive_dir / "by-hand.warc.gz", zeros=96 * MB)
    con = connect(":memory:")
    migrate(con, settings.sql_dir)
    tracemalloc.start()
    try:
        assert index_archive(con, settings.archive_dir, MB) == 1  # the record before it
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    [(error,)] = con.execute("SELECT error FROM processing_errors WHERE stage = 'index'").fetchall()
    assert "TRACKER_MAX_RECORD_BYTES" in error
    assert peak < 16 * MB, f"peak {peak / MB:.1f} MB while indexing a 96 MB record"


def test_the_record_cap_is_a_validated_setting():
    from tracker.settings import Settings, SettingsError

    assert Settings.from_env({"TRACKER_HOME": "/tmp/x"}).max_record_bytes == 256 * MB
    with pytest.raises(SettingsError, match="TRACKER_MAX_RECORD_BYTES"):
        Settings.from_env({"TRACKER_HOME": "/tmp/x", "TRACKER_MAX_RECORD_BYTES": "0"})
