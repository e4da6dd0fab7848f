"""`tracker ingest`: record a local file in the archive as if fetched from a URL."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from tracker.dates import implausible
from tracker.errors import TrackerError
from tracker.fetch.archive import ArchiveWriter, iter_records
from tracker.fetch.urls import BadUrl, http_url
from tracker.settings import Settings
from tracker.stages.sandbox import SandboxJob, Limits, Parsed, parse_in_workers

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
        return http_url(url)
    except BadUrl as exc:
        raise IngestError(f"not an http(s) URL the tracker can read ({exc}): {url!r}") from None


def content_type_of(path: Path, body: bytes) -> str:
    """The content type from the file name, checked against the bytes (without parsing them: the parse
    worker does that, in check_readable)."""
    suffix = path.suffix.lower()
    if suffix not in CONTENT_TYPES:
        raise IngestError(f"unsupported file type {suffix or '(none)'!r}: use .html, .pdf or .json")
    ctype = CONTENT_TYPES[suffix]
    if suffix == ".pdf" and not body.lstrip().startswith(b"%PDF"):
        raise IngestError(f"{path.name} is not a PDF (no %PDF header)")
    if suffix in {".html", ".htm"} and b"<" not in body[:4096]:
        raise IngestError(f"{path.name} does not look like HTML")
    if suffix in {".html", ".htm"} and b"\x00" in body:
        raise IngestError(f"{path.name} holds NUL bytes: binary data (or UTF-16), not HTML the tracker can read")
    return ctype


def check_readable(settings: Settings, path: Path, staged: Path) -> None:
    """Parse the staged capture as the run will, in a parse worker under the run's memory and time limits
    (TRACKER_PARSE_MEMORY_MB, TRACKER_PARSE_SECONDS): what the run could not read is refused now, and a
    hostile file costs at most those limits, never this process."""
    [(info, _)] = list(iter_records(staged, with_body=False))
    job = SandboxJob(info.url, str(staged), info.offset, info.sha256, info.published_hint)
    [parsed] = list(parse_in_workers([job], Limits.from_settings(settings), workers=1))
    if parsed.error is not None:
        raise IngestError(_unreadable(path, parsed))
    publication = parsed.publication
    if publication.document_type != "pdf" and not publication.title.strip() and not publication.blocks:
        raise IngestError(f"{path.name} cannot be read: no title and no text found in it")


def _unreadable(path: Path, parsed: Parsed) -> str:
    prefix = f"{parsed.error_class}: "
    why = parsed.error[len(prefix):] if parsed.error_class and parsed.error.startswith(prefix) else parsed.error
    if parsed.error_class == "NotGovukContent":
        return f"{path.name} is not GOV.UK Content API JSON: {why}"
    return f"{path.name} cannot be read: {why}"


def ingest_file(
    settings: Settings, path: Path, url: str, source: str | None = None, published: date | None = None
) -> Path:
    """Validate everything first, then write one WARC record; returns the new archive file."""
    if path.is_dir():
        raise IngestError(f"{path} is a directory: give one HTML, PDF or JSON file")
    if not path.is_file():
        raise IngestError(f"no such file: {path}")
    size = path.stat().st_size
    if size > settings.max_body_bytes:
        raise IngestError(f"{path} holds {size} bytes, more than the {settings.max_body_bytes} the crawl would "
                          "fetch (TRACKER_MAX_BODY_BYTES)")
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
    # parsed from the file as written, before it is published: the archive gains it only once it reads
    with ArchiveWriter(settings.archive_dir, prefix="ingest") as writer:
        writer.write_response(
            url,
            body,
            headers=[("Content-Type", ctype), ("Content-Length", str(len(body)))],
            fetched_at=datetime.now(timezone.utc),
            source=source,
            published=published,
        )
        check_readable(settings, path, writer.staged())
    return writer.path
