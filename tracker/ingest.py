"""`tracker ingest`: record a local file in the archive as if fetched from a URL."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from tracker.dates import implausible
from tracker.errors import TrackerError
from tracker.fetch.archive import ArchiveWriter
from tracker.fetch.urls import BadUrl, normalise
from tracker.items import Capture
from tracker.parse.govuk import NotGovukContent, parse_content_item
from tracker.settings import Settings
from tracker.sources import parse_capture

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".json": "application/json",
}


class IngestError(TrackerError, ValueError):
    """The file or its metadata cannot be recorded; nothing was written."""


def check_url(url: str) -> str:
    """The URL in the canonical form the fetcher would have archived it under (tracker/fetch/urls.py): what
    it cannot read one way only (control characters that would forge WARC headers, backslashes, user info)
    is refused."""
    try:
        canonical = normalise(url)
    except BadUrl as exc:
        raise IngestError(f"not an http(s) URL the tracker can read ({exc}): {url!r}") from None
    if not canonical.startswith(("http://", "https://")):
        raise IngestError(f"not an http(s) URL: {url!r}")
    return canonical


def content_type_of(path: Path, body: bytes) -> str:
    """The content type from the file name, checked against the bytes."""
    suffix = path.suffix.lower()
    if suffix not in CONTENT_TYPES:
        raise IngestError(f"unsupported file type {suffix or '(none)'!r}: use .html, .pdf or .json")
    ctype = CONTENT_TYPES[suffix]
    if suffix == ".pdf" and not body.lstrip().startswith(b"%PDF"):
        raise IngestError(f"{path.name} is not a PDF (no %PDF header)")
    if suffix == ".json":
        try:
            parse_content_item(body)
        except NotGovukContent as exc:
            raise IngestError(f"{path.name} is not GOV.UK Content API JSON: {exc}") from exc
    if suffix in {".html", ".htm"} and b"<" not in body[:4096]:
        raise IngestError(f"{path.name} does not look like HTML")
    if suffix in {".html", ".htm"} and b"\x00" in body:
        raise IngestError(f"{path.name} holds NUL bytes: binary data (or UTF-16), not HTML the tracker can read")
    return ctype


def check_readable(path: Path, capture: Capture) -> None:
    """Parse the file as the run will; what the run could not read is refused now."""
    try:
        publication = parse_capture(capture)
    except TrackerError as exc:  # PdfError, NotGovukContent, UnsupportedDocument
        raise IngestError(f"{path.name} cannot be read: {exc}") from exc
    if publication.document_type != "pdf" and not publication.title.strip() and not publication.blocks:
        raise IngestError(f"{path.name} cannot be read: no title and no text found in it")


def ingest_file(
    settings: Settings, path: Path, url: str, source: str | None = None, published: date | None = None
) -> Path:
    """Validate everything first, then write one WARC record; returns the new archive file."""
    if path.is_dir():
        raise IngestError(f"{path} is a directory: give one HTML, PDF or JSON file")
    if not path.is_file():
        raise IngestError(f"no such file: {path}")
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read {path}: {exc.strerror}") from exc
    if not body.strip():
        raise IngestError(f"{path} is empty")
    url = check_url(url)
    if why := implausible(published):
        raise IngestError(f"--published {published.isoformat()} {why}: give the date the document was published")
    ctype = content_type_of(path, body)
    fetched_at = datetime.now(timezone.utc)
    check_readable(path, Capture(url, fetched_at, 200, ctype, body, source=source, published_hint=published))
    with ArchiveWriter(settings.archive_dir, prefix="ingest") as writer:
        writer.write_response(
            url,
            body,
            headers=[("Content-Type", ctype), ("Content-Length", str(len(body)))],
            fetched_at=fetched_at,
            source=source,
            published=published,
        )
    return writer.path
