"""site/captures/ kept in step with the archive by site/.captures.json: a copy made once is not made again
while its capture and the code that makes it are unchanged, and is made again when either changes or its
file on disk is not what was written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tracker.publish.site import write_briefing, write_captures
from tracker.publish.site.capture_manifest import MANIFEST


@pytest.fixture
def copies(sample_home, tmp_path):
    """A read-only sample warehouse, a copy of its archive, and a fresh site folder with the captures written once."""
    archive = tmp_path / "archive"
    shutil.copytree(sample_home / "archive", archive)
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    site = tmp_path / "site"
    first = write_captures(con, site, archive_dir=archive)
    yield con, archive, site, first
    con.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_an_unchanged_rerun_reads_no_archived_record(copies):
    con, archive, site, first = copies
    written = _files(site / "captures")
    assert first and written
    archive.rename(archive.with_name("gone"))  # reading any capture would now fail and drop its copy
    again = write_captures(con, site, archive_dir=archive)
    assert again == first
    assert _files(site / "captures") == written


def test_a_copy_changed_or_removed_on_disk_is_made_again(copies):
    con, archive, site, first = copies
    written = _files(site / "captures")
    html_copy, pdf_copy = (next(n for n in sorted(written) if n.endswith(ext)) for ext in (".html", ".pdf"))
    (site / "captures" / html_copy).write_bytes(b"<p>edited</p>")
    (site / "captures" / pdf_copy).unlink()
    assert write_captures(con, site, archive_dir=archive) == first
    assert _files(site / "captures") == written


def test_a_new_version_of_the_copying_code_makes_every_copy_again(copies):
    con, archive, site, first = copies
    manifest = site / MANIFEST
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({url: {**e, "version": "older"} for url, e in entries.items()}), encoding="utf-8")
    shutil.rmtree(archive)
    assert write_captures(con, site, archive_dir=archive) == {}  # it had to read the archive, which is gone
    assert json.loads(manifest.read_text(encoding="utf-8")) == {}


def test_the_manifest_names_each_capture_and_holds_no_times(copies):
    con, archive, site, first = copies
    entries = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    assert set(entries) == set(first)
    for url, entry in entries.items():
        assert entry["opens"] == first[url].opens and tuple(sorted(entry["files"])) == first[url].names
        assert {"warc_file", "warc_offset", "sha256", "version"} <= set(entry)
        assert all(n.split(".")[0] == entry["sha256"] for n in entry["files"])  # named by the captured bytes
    before = (site / MANIFEST).read_bytes()
    write_captures(con, site, archive_dir=archive)
    assert (site / MANIFEST).read_bytes() == before


def test_a_copy_no_longer_cited_leaves_the_site_and_the_manifest(copies):
    con, archive, site, first = copies
    stale = "ab" * 32 + ".html"
    (site / "captures" / stale).write_bytes(b"<p>old</p>")
    entries = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    entries["https://example.org/no-longer-cited"] = {"warc_file": "x.warc.gz", "warc_offset": 0, "sha256": "ab" * 32,
                                                       "version": "v", "files": {stale: 10}, "opens": stale,
                                                       "kind": "archived page"}
    (site / MANIFEST).write_text(json.dumps(entries), encoding="utf-8")
    write_briefing(con, site, archive_dir=archive)
    assert not (site / "captures" / stale).exists()
    assert {p.name for p in (site / "captures").iterdir()} == {n for copy in first.values() for n in copy.names}
    assert "https://example.org/no-longer-cited" not in json.loads((site / MANIFEST).read_text(encoding="utf-8"))
