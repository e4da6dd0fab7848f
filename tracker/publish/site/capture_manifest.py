"""Keeps site/captures/ in step with the archive without reading the archive when nothing changed.

An archived copy is a pure function of the captured record (its bytes, content type and URL) and of the
code that makes it inert (publish/captures.py, site/archive.py, the HTML decoding in parse/html.py and
lxml). So each copy is made once: site/.captures.json records, per publication URL, the record it was
made from (WARC file, offset, content SHA-256), the version of that code, and the files it wrote with
their sizes. A later run reuses an entry whose record and code version are unchanged and whose files are
still there at those sizes (the names are content-addressed, so an existing file of the right size is
the right file, the same test the site always used); anything else is read from the WARC archive and
written again, and only when the file on disk differs. An unchanged re-run reads no WARC record.

The manifest holds no times, so the same warehouse and archive give the same site, byte for byte, and it
sits beside captures/ (not in it) because captures/ holds only archived copies, each served by name.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import lxml
from lxml import etree

from tracker.fetch.archive import read_capture
from tracker.parse import html as parse_html
from tracker.publish import captures as sanitiser
from tracker.publish.site import copies as archive_mod
from tracker.publish.site.copies import archived_copy
from tracker.staging import staged

log = logging.getLogger(__name__)

MANIFEST = ".captures.json"
_WARC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.warc(\.gz)?$")


@dataclass(frozen=True)
class Stored:
    """One publication's archived copy as site/captures/ holds it: its files and the one a link opens."""

    names: tuple[str, ...]  # file names inside site/captures/
    opens: str  # the file a quote links to
    kind: str  # what the link says it opens: "archived PDF", "archived page", ...

    @property
    def link(self) -> tuple[str, str]:
        return f"captures/{self.opens}", self.kind


@dataclass(frozen=True)
class ManifestRecord:
    """Where a cited publication's capture sits in the archive."""

    url: str
    warc_file: str
    warc_offset: int
    sha256: str | None

    def key(self, version: str) -> dict:
        return {"warc_file": self.warc_file, "warc_offset": self.warc_offset, "sha256": self.sha256,
                "version": version}


@cache
def copy_version() -> str:
    """A digest of the code that makes archived copies: any change to it makes every copy again."""
    digest = hashlib.sha256()
    for module in (sanitiser, archive_mod, parse_html):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(f"lxml {lxml.__version__} libxml2 {etree.LIBXML_VERSION}".encode())
    return digest.hexdigest()[:16]


def cited_records(con: duckdb.DuckDBPyConnection, urls: set[str]) -> list[ManifestRecord]:
    """The captures of the publications among urls that have one, by URL."""
    rows = con.execute(
        "SELECT url, warc_file, warc_offset, content_sha256 FROM publications WHERE warc_file IS NOT NULL ORDER BY url"
    ).fetchall()
    found = []
    for url, warc_file, offset, sha in rows:
        if url not in urls:
            continue
        if not _WARC_NAME.match(warc_file or ""):  # a file name in the archive, never a path
            log.warning("briefing: unexpected WARC file name %r for %s", warc_file, url)
            continue
        found.append(ManifestRecord(url, warc_file, int(offset), sha))
    return found


def sync_captures(con: duckdb.DuckDBPyConnection, archive_dir: Path | None, urls: set[str],
                  site_dir: Path) -> dict[str, Stored]:
    """Make site/captures/ hold the archived copy of every publication among urls; returns url -> its copy.

    Copies still valid by the manifest are kept as they are; the rest are read from the archive and written.
    Files no longer wanted are left for the caller to prune (after the pages that link them are replaced).
    """
    if archive_dir is None or not urls:
        return {}
    captures_dir = site_dir / "captures"
    captures_dir.mkdir(parents=True, exist_ok=True)
    version = copy_version()
    before = _read_manifest(site_dir / MANIFEST)
    entries: dict[str, dict] = {}
    stored: dict[str, Stored] = {}
    for record in cited_records(con, urls):
        entry = before.get(record.url)
        if not _still_valid(entry, record.key(version), captures_dir):
            entry = _make_copy(record, archive_dir, captures_dir, version)
        if entry is None:
            continue
        entries[record.url] = entry
        stored[record.url] = Stored(tuple(sorted(entry["files"])), entry["opens"], entry["kind"])
    _write_json(site_dir / MANIFEST, entries)
    return stored


def _still_valid(entry: dict | None, key: dict, captures_dir: Path) -> bool:
    if not isinstance(entry, dict) or any(entry.get(k) != v for k, v in key.items()):
        return False
    files = entry.get("files")
    if not isinstance(files, dict) or not files or entry.get("opens") not in files:
        return False
    for name, size in files.items():
        path = captures_dir / name
        if Path(name).name != name or not path.is_file() or path.stat().st_size != size:
            return False
    return True


def _make_copy(record: ManifestRecord, archive_dir: Path, captures_dir: Path, version: str) -> dict | None:
    try:
        capture = read_capture(archive_dir / record.warc_file, record.warc_offset)
    except Exception as exc:  # a missing archive must not cost the analysts their briefing
        log.warning("briefing: no archived capture for %s: %s", record.url, exc)
        return None
    copy = archived_copy(capture.body, capture.content_type, record.url)
    for name, body in copy.files.items():
        _write_if_changed(captures_dir / name, body)
    return {**record.key(version), "files": {name: len(body) for name, body in copy.files.items()},
            "opens": copy.opens, "kind": copy.kind}


def _write_if_changed(path: Path, body: bytes) -> None:
    if path.is_file() and path.stat().st_size == len(body) and path.read_bytes() == body:
        return
    with staged(path) as fh:
        fh.write(body)


def _read_manifest(path: Path) -> dict[str, dict]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _write_json(path: Path, entries: dict[str, dict]) -> None:
    with staged(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(entries, sort_keys=True, indent=1) + "\n")
