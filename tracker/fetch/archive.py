"""The WARC evidence store: write captures atomically, list and read them back by file and offset.

Each file the tracker writes starts with a `warcinfo` record (the software, the format, and the crawl's
User-Agent and robots policy, as `Fetcher` describes them), and each response record names the request
record it answers in `WARC-Concurrent-To`, as warcio's own writer and Heritrix do. Readers look at
response records only, so files written before either existed (and imported ones) read the same.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import secrets
import shutil
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tracker import __version__
from tracker.dates import implausible, plausible_or_none
from tracker.errors import TrackerError
from tracker.faults import checkpoint
from tracker.items import Capture
from tracker.staging import new_file, staged

SOURCE_HEADER = "X-Tracker-Source"
PUBLISHED_HEADER = "X-Tracker-Published"

_CHUNK = 1 << 20  # a record's content is hashed a chunk at a time, never held whole to be hashed
# warcio inflates one block of a gzip WARC at a time, whole: 4 KB of gzip is at most ~4 MB (zlib's ratio
# is about 1:1000), where its default 16 KB could be 16 MB, held two or three times over.
_GZIP_BLOCK = 4096
_REASONS = {200: "OK", 304: "Not Modified", 403: "Forbidden", 404: "Not Found", 500: "Server Error"}


def warc_date(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_warc_date(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)


class ArchiveWriter:
    """Writes captures to one new gzip WARC file, published by rename only when closed.

    The file name is made from a prefix, the time and random bytes, never from a URL, so no
    scraped value can steer where the archive writes.
    """

    def __init__(self, archive_dir: Path, prefix: str = "capture"):
        if not prefix.replace("-", "").isalnum():
            raise ValueError(f"archive prefix must be alphanumeric: {prefix!r}")
        archive_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        self.path = archive_dir / f"{prefix}-{stamp}-{secrets.token_hex(4)}.warc.gz"
        self._tmp = self.path.with_name("." + self.path.name + ".part")
        self._fh = new_file(self._tmp)
        self._writer = WARCWriter(self._fh, gzip=True)
        self.count = 0  # records written; the warcinfo record goes first, just before the first of them
        self.info: dict[str, str] = {
            "software": f"nhs-leadership-tracker/{__version__} (warcio)",
            "format": "WARC File Format 1.0",
        }
        self._started = False

    def describe(self, **info: str) -> None:
        """Add fields to the file's warcinfo record (e.g. http-header-user-agent, robots); before the first record."""
        self.info.update({k.replace("_", "-"): v for k, v in info.items()})

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self._writer.write_record(self._writer.create_warcinfo_record(self.path.name, self.info))

    def write_response(
        self,
        url: str,
        body: bytes,
        *,
        status: int = 200,
        headers: list[tuple[str, str]] | None = None,
        fetched_at: datetime | None = None,
        source: str | None = None,
        published: date | None = None,
        concurrent_to: str | None = None,
    ) -> str:
        """Append one HTTP response record (status, headers and body as received); returns its record id.

        `concurrent_to` is the WARC-Record-ID of the request record this response answers."""
        http_headers = StatusAndHeaders(
            f"{status} {_REASONS.get(status, 'Status')}", list(headers or []), protocol="HTTP/1.1"
        )
        warc_headers = {"WARC-Date": warc_date(fetched_at or datetime.now(timezone.utc))}
        if source:
            warc_headers[SOURCE_HEADER] = source
        if published := plausible_or_none(published):  # a listing's date of 2999 is no date
            warc_headers[PUBLISHED_HEADER] = published.isoformat()
        if concurrent_to:
            warc_headers["WARC-Concurrent-To"] = concurrent_to
        record = self._writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            http_headers=http_headers,
            warc_headers_dict=warc_headers,
        )
        self._write(record)
        checkpoint("archive-write")
        return record.rec_headers.get_header("WARC-Record-ID")

    def _write(self, record) -> None:
        self._start()
        self._writer.write_record(record)
        self.count += 1

    def write_request(
        self,
        url: str,
        headers: list[tuple[str, str]] | None = None,
        *,
        method: str = "GET",
        fetched_at: datetime | None = None,
    ) -> str:
        """Append one HTTP request record (the request line and headers actually sent); returns its record id."""
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        http_headers = StatusAndHeaders(
            f"{method} {target} HTTP/1.1", list(headers or []), protocol="HTTP/1.1", is_http_request=True
        )
        record = self._writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": warc_date(fetched_at or datetime.now(timezone.utc))},
        )
        self._write(record)
        return record.rec_headers.get_header("WARC-Record-ID")

    def write_metadata(self, url: str, text: str, fetched_at: datetime | None = None) -> None:
        """Record a fact about a URL that has no response (a failure, a robots.txt refusal)."""
        record = self._writer.create_warc_record(
            url,
            "metadata",
            payload=io.BytesIO(text.encode("utf-8")),
            warc_content_type="text/plain; charset=utf-8",
            warc_headers_dict={"WARC-Date": warc_date(fetched_at or datetime.now(timezone.utc))},
        )
        self._write(record)

    def staged(self) -> Path:
        """The file as written so far, not yet published (its hidden .part name): for a check that must read
        it before `close` publishes it (`tracker ingest` parses it first)."""
        self._fh.flush()
        return self._tmp

    def close(self) -> Path | None:
        """Publish the file (fsync + rename); an empty file is discarded."""
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        if self.count == 0:
            self._tmp.unlink(missing_ok=True)
            return None
        os.replace(self._tmp, self.path)
        return self.path

    def abort(self) -> None:
        self._fh.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> "ArchiveWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def warc_files(archive_dir: Path) -> list[Path]:
    """Closed WARC files in the archive folder, by name (half-written .part files are skipped)."""
    if not archive_dir.exists():
        return []
    return sorted(p for p in archive_dir.glob("*.warc.gz") if not p.name.startswith("."))


class NotWarc(TrackerError, ValueError):
    """A file given to import-warc that is not a readable WARC file; nothing was imported."""


def check_warc(source: Path, max_record_bytes: int | None = None) -> int:
    """Read every record of a file before it may enter the evidence store; returns how many it holds.

    Raises NotWarc for a directory, a missing file, another format (warcio reads some text as the
    older ARC format, so the first record must be WARC), and CorruptRecord for a record that fails its
    digest, holds more than `max_record_bytes`, or that the index could not record (`_info`, the same
    reading the index makes): an imported file is indexed whole or not imported.
    """
    if source.is_dir():
        raise NotWarc(f"{source} is a directory: give WARC files")
    if not source.is_file():
        raise NotWarc(f"no such file: {source}")
    if not os.access(source, os.R_OK):
        raise NotWarc(f"cannot read {source}: permission denied")
    try:
        count = _check_records(source, max_record_bytes)
    except RecordTooLarge:
        raise  # said before its bytes are read; reading the whole gzip stream first would cost them after all
    except (NotWarc, CorruptRecord):
        _check_gzip(source)  # a file cut short says so, whichever record it was cut in
        raise
    _check_gzip(source)
    return count


def _check_records(source: Path, max_record_bytes: int | None) -> int:
    count = 0
    try:
        with open(source, "rb") as fh:
            iterator = ArchiveIterator(fh, check_digests=True, block_size=_GZIP_BLOCK)
            for record in _each(iterator, source):
                if record.format != "warc":  # checked before warcio reads on (and warns about) the rest
                    raise NotWarc(f"{source} is not a WARC file")
                sha256, _ = _read_block(record, source, max_record_bytes, keep=False)
                if record.rec_type == "response":
                    _info(source, iterator.get_record_offset(), record, sha256)
                _check_date(record, source)
                count += 1
    except ArchiveLoadFailed as exc:
        raise NotWarc(f"{source} is not a WARC file") from exc
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise NotWarc(f"{source} is not a readable WARC file ({exc})") from exc
    if not count:
        raise NotWarc(f"{source}: no WARC records found")
    return count


def _check_date(record, source: Path) -> None:
    """A record dated in the future would stay the newest capture of its URL whatever is fetched later."""
    stamp = record.rec_headers.get_header("WARC-Date")
    try:
        when = parse_warc_date(stamp) if stamp else None
    except ValueError:
        raise NotWarc(f"{source}: a record has an unreadable WARC-Date {stamp!r}") from None
    if why := implausible(when):
        uri = record.rec_headers.get_header("WARC-Target-URI")
        raise NotWarc(f"{source}: the record for {uri} is dated {stamp}, which {why}")


def _check_gzip(source: Path) -> None:
    """A gzip WARC cut short at a record boundary reads as fewer records; its gzip stream tells."""
    with open(source, "rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            return
    try:
        with gzip.open(source) as stream:
            while stream.read(1 << 20):
                pass
    except EOFError as exc:
        raise NotWarc(f"{source} is cut short (its gzip stream ends early)") from exc
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise NotWarc(f"{source} is not a readable gzip file ({exc})") from exc


def import_warc(archive_dir: Path, source: Path, max_record_bytes: int | None = None) -> Path:
    """Copy an existing WARC file into the archive under a content-derived name (idempotent)."""
    check_warc(source, max_record_bytes)  # a file that is not WARC must not enter the evidence store
    digest = sha256_file(source)
    archive_dir.mkdir(parents=True, exist_ok=True)
    target = archive_dir / f"import-{digest[:20]}.warc.gz"
    if not target.exists():
        with open(source, "rb") as src, staged(target) as fh:
            shutil.copyfileobj(src, fh)
    return target


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class RecordInfo:
    """An index entry: where a response record is and what it holds, without its body."""

    warc_file: str
    offset: int
    url: str
    fetched_at: datetime
    status: int
    content_type: str
    sha256: str
    source: str | None
    published_hint: date | None
    etag: str | None
    last_modified: str | None


class CorruptRecord(TrackerError, ValueError):
    """A WARC record the archive cannot hold: its bytes do not match its digest (cut short or altered), it
    is larger than the cap, or it lacks what the index records (an http(s) URI, a date, a status)."""


class RecordTooLarge(CorruptRecord):
    """A WARC record over TRACKER_MAX_RECORD_BYTES, as declared or as its body inflates."""


def _check_digest(record, path: Path) -> None:
    # warcio reads a cut-short record without complaint; the digests it wrote tell the truth.
    headers = record.rec_headers
    has_digest = headers.get_header("WARC-Block-Digest") or headers.get_header("WARC-Payload-Digest")
    if has_digest and record.digest_checker.passed is not True:
        uri = headers.get_header("WARC-Target-URI")
        problems = "; ".join(map(str, record.digest_checker.problems)) or "record cut short"
        raise CorruptRecord(f"{path.name}: record for {uri} fails its digest check ({problems})")


def iter_records(path: Path, with_body: bool = True,
                 max_record_bytes: int | None = None) -> Iterator[tuple[RecordInfo, bytes | None]]:
    """Yield (index entry, body) for each response record of one WARC file, streaming: a body is read in
    chunks, and held only `with_body`.

    Raises CorruptRecord at the first record whose digest does not match (e.g. a file cut short), that
    holds more than `max_record_bytes`, or that the index could not record.
    """
    with open(path, "rb") as fh:
        iterator = ArchiveIterator(fh, check_digests=True, block_size=_GZIP_BLOCK)
        for record in _each(iterator, path):
            if record.rec_type != "response":
                continue
            sha256, body = _read_block(record, path, max_record_bytes, keep=with_body)
            offset = iterator.get_record_offset()
            yield _info(path, offset, record, sha256), body


def _each(iterator: ArchiveIterator, path: Path) -> Iterator:
    """The iterator's records; one without a WARC-Target-URI is a CorruptRecord, not warcio's AttributeError."""
    records = iter(iterator)
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except AttributeError as exc:  # warcio reads the URI of every response and request record it loads
            raise CorruptRecord(f"{path.name}: record at offset {iterator.offset} has no WARC-Target-URI") from exc
        yield record


def _content(record):
    """record.content_stream(), inflating a body's Content-Encoding _GZIP_BLOCK at a time (warcio's own 16 KB
    of a gzip body can inflate to 16 MB: a 1 KB WARC can hold a gzip body of gigabytes of zeros)."""
    http = record.http_headers
    if not http:
        return record.raw_stream
    encoding = (http.get_header("content-encoding") or "").lower() or None
    if encoding not in BufferedReader.get_supported_decompressors():
        encoding = None
    if http.get_header("transfer-encoding") == "chunked":
        return ChunkedDataReader(record.raw_stream, block_size=_GZIP_BLOCK, decomp_type=encoding)
    if encoding:
        return BufferedReader(record.raw_stream, block_size=_GZIP_BLOCK, decomp_type=encoding)
    return record.raw_stream


def _read_block(record, path: Path, max_bytes: int | None, keep: bool) -> tuple[str, bytes | None]:
    """(SHA-256 of the content, the content when `keep`), reading a chunk at a time; the digest is checked.

    A record declaring more than `max_bytes` is refused before a byte of it is read, and so is content
    that inflates past it (HTTP gzip): a few KB of gzip can declare gigabytes of zeros."""
    uri = record.rec_headers.get_header("WARC-Target-URI")
    declared = record.rec_headers.get_header("Content-Length") or "0"
    if max_bytes is not None and (not declared.isdigit() or int(declared) > max_bytes):
        raise RecordTooLarge(f"{path.name}: record for {uri} holds {declared} bytes, more than the "
                            f"{max_bytes} allowed (TRACKER_MAX_RECORD_BYTES)")
    digest, parts, size = hashlib.sha256(), [], 0
    stream = _content(record)
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise RecordTooLarge(f"{path.name}: record for {uri} inflates to more than the {max_bytes} bytes "
                                "allowed (TRACKER_MAX_RECORD_BYTES)")
        digest.update(chunk)
        if keep:
            parts.append(chunk)
    while record.raw_stream.read(_CHUNK):  # finish the block so the digest can be judged
        pass
    _check_digest(record, path)
    return digest.hexdigest(), (b"".join(parts) if keep else None)


def read_capture(path: Path, offset: int) -> Capture:
    """Read the one response record that starts at `offset` in `path`."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh, check_digests=True)))
        body = record.content_stream().read()
        record.raw_stream.read()
        _check_digest(record, path)
        info = _info(path, offset, record, hashlib.sha256(body).hexdigest())
        headers = {k.lower(): v for k, v in record.http_headers.headers}
    return Capture(
        url=info.url,
        fetched_at=info.fetched_at,
        status=info.status,
        content_type=info.content_type,
        body=body,
        headers=headers,
        source=info.source,
        published_hint=info.published_hint,
        warc_file=info.warc_file,
        warc_offset=offset,
    )


def _info(path: Path, offset: int, record, sha256: str) -> RecordInfo:
    """The index entry of a response record; CorruptRecord saying what is missing when it cannot be made."""
    rec = record.rec_headers
    http = record.http_headers
    url = rec.get_header("WARC-Target-URI")
    where = f"{path.name}: record at offset {offset}" + (f" for {url}" if url else "")
    if not url:
        raise CorruptRecord(f"{where} has no WARC-Target-URI")
    try:
        parts = urlsplit(url)
        has_host = bool(parts.hostname)
    except ValueError:
        parts, has_host = None, False
    if parts is None or parts.scheme.lower() not in {"http", "https"} or not has_host:
        raise CorruptRecord(f"{where}: WARC-Target-URI is not an http(s) URL")
    if http is None:
        raise CorruptRecord(f"{where} holds no HTTP response")
    status = http.get_statuscode() or ""
    if not (status.isdigit() and 100 <= int(status) <= 599):
        raise CorruptRecord(f"{where} has no readable HTTP status ({status!r})")
    return RecordInfo(
        warc_file=path.name,
        offset=offset,
        url=url,
        fetched_at=_header_date(rec, "WARC-Date", parse_warc_date, where),
        status=int(status),
        content_type=(http.get_header("Content-Type") or "").strip(),
        sha256=sha256,
        source=rec.get_header(SOURCE_HEADER),
        published_hint=plausible_or_none(
            _header_date(rec, PUBLISHED_HEADER, date.fromisoformat, where, required=False)),
        etag=http.get_header("ETag"),
        last_modified=http.get_header("Last-Modified"),
    )


def _header_date(headers, name: str, parse, where: str, required: bool = True):
    value = headers.get_header(name)
    if not value and not required:
        return None
    try:
        return parse(value)
    except (TypeError, ValueError, AttributeError):
        raise CorruptRecord(f"{where} has no readable {name} ({value!r})") from None
