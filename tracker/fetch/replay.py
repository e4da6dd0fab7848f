"""Offline replay: the fetch chain with the WARC archive at its end instead of the network.

    route = replay_route(settings.archive_dir)
    fetcher = Fetcher(settings, writer, state, route=route)   # the same chain as a live crawl, but for four parts

For each URL the latest capture is served, preferring a definitive answer (200, a redirect, 404) over
a transient one (429, 5xx) or a 304; a conditional request that matches the capture's ETag or
Last-Modified gets a 304. A URL the archive never saw raises NotInArchive (not retried). The response
carries the capture time (`response.replay_fetched_at`), which the Fetcher records as the fetch time,
so a replayed crawl archives byte-identical captures with their original dates.

What differs from the live route (tracker.fetch.client.LIVE) is four parts, each its own class: the guard
checks no address and the downloader keeps no deadline (nothing connects), robots.txt still decides but its
Crawl-delay paces nothing, and the pacer never waits (no delay, backoff or Retry-After, and nothing shared
with other processes through Redis).
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3 import HTTPResponse
from warcio.archiveiterator import ArchiveIterator

from tracker.fetch import urls
from tracker.fetch.archive import iter_records, warc_files
from tracker.fetch.client import Route
from tracker.fetch.download import Downloader, NotRetryable
from tracker.fetch.exchange import Request, Response
from tracker.fetch.pacing import HostGate
from tracker.fetch.reasons import FailureKind
from tracker.fetch.robots import RobotsPolicy
from tracker.fetch.steps import (
    CaptureStep, Conditional, Guard, HttpErrors, Pacing, RecordStep, Redirects, Retry, Robots, Shared, SizeCap,
    SizeLimit, Statistics, Step, TimeBudget,
)
from tracker.fetch.transport import AddressPolicy
from tracker.settings import Settings

_TRANSIENT = {304, 429} | set(range(500, 600))
_DROP = {"content-encoding", "transfer-encoding", "content-length"}


class NotInArchive(NotRetryable):
    """The archive holds no capture of this URL."""

    kind = FailureKind.NOT_IN_ARCHIVE


@dataclass(frozen=True)
class _Entry:
    rank: tuple  # (definitive, fetched_at, file name, offset): the max wins
    path: Path
    offset: int
    fetched_at: datetime
    status: int


def _key(url: str) -> str:
    """A URL as the index keys it: its canonical form (tracker.fetch.urls), or as written when it cannot be read."""
    try:
        return urls.normalise(url)
    except urls.BadUrl:
        return url.strip()


class ReplayIndex:
    """url -> the capture to serve; only positions are kept in memory, bodies are read on demand."""

    def __init__(self, archive_dir: Path):
        self.archive_dir = Path(archive_dir)
        self._entries: dict[str, _Entry] = {}
        for path in warc_files(self.archive_dir):
            for info, _ in iter_records(path, with_body=False):
                rank = (info.status not in _TRANSIENT, info.fetched_at, path.name, info.offset)
                url = _key(info.url)
                old = self._entries.get(url)
                if old is None or rank > old.rank:
                    self._entries[url] = _Entry(rank, path, info.offset, info.fetched_at, info.status)

    def lookup(self, url: str) -> _Entry | None:
        return self._entries.get(_key(url))

    def __len__(self) -> int:
        return len(self._entries)


def _read(path: Path, offset: int) -> tuple[int, str, list[tuple[str, str]], bytes]:
    with open(path, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        http = record.http_headers
        body = record.content_stream().read()
        status = int(http.get_statuscode() or 0)
        reason = http.statusline.partition(" ")[2] if http.statusline else ""
        return status, reason, list(http.headers), body


class ReplayAdapter(BaseAdapter):
    def __init__(self, index: ReplayIndex):
        super().__init__()
        self.index = index
        self._lock = threading.Lock()
        self.served: list[str] = []  # URLs answered, in order (for tests and reports)

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        entry = self.index.lookup(request.url)
        if entry is None:
            raise NotInArchive(f"not in archive: {request.url}", request=request)
        status, reason, headers, body = _read(entry.path, entry.offset)
        headers = [(k, v) for k, v in headers if k.lower() not in _DROP]
        if status == 200 and _matches(request.headers, dict((k.lower(), v) for k, v in headers)):
            status, reason, body = 304, "Not Modified", b""
        headers.append(("Content-Length", str(len(body))))
        raw = HTTPResponse(
            body=io.BytesIO(body), headers=headers, status=status, reason=reason, preload_content=False,
            decode_content=False, request_url=request.url, request_method=request.method,
        )
        response = requests.Response()
        response.status_code = status
        response.reason = reason
        response.headers = CaseInsensitiveDict(raw.headers)
        response.raw = raw
        response.url = request.url
        response.request = request
        response.encoding = get_encoding_from_headers(response.headers)
        response.connection = self
        response.replay_fetched_at = entry.fetched_at
        response.replay_record = (entry.path.name, entry.offset)
        with self._lock:
            self.served.append(request.url)
        if not stream:
            response.content  # noqa: B018 - read now, like requests does without stream=True
        return response

    def close(self) -> None:
        pass


def _matches(request_headers, capture_headers: dict[str, str]) -> bool:
    """Would the origin have answered 304 to this conditional request, judging by the capture?"""
    inm = request_headers.get("If-None-Match")
    etag = capture_headers.get("etag")
    if inm and etag:
        return etag.strip() in {t.strip() for t in inm.split(",")} or inm.strip() == "*"
    ims = request_headers.get("If-Modified-Since")
    lm = capture_headers.get("last-modified")
    if ims and lm:
        try:
            return parsedate_to_datetime(lm) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


def replay_session(archive_dir: Path, index: ReplayIndex | None = None) -> requests.Session:
    """A Session whose http:// and https:// requests are answered from the archive."""
    session = requests.Session()
    session.trust_env = False
    adapter = ReplayAdapter(index or ReplayIndex(archive_dir))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.replay_adapter = adapter
    return session


class ArchiveGuard(Guard):
    """The guard without the address check: a replay connects to no address."""

    @classmethod
    def from_settings(cls, settings: Settings, shared: Shared) -> Step:
        return cls(settings.allowed_hosts, shared.allowed_urls, AddressPolicy(allow_all=True), shared.gate)


class ArchiveRobots(Robots):
    """The archived robots.txt still decides what is served, but its Crawl-delay paces nothing (nor is its cap
    reported)."""

    def pace(self, url: str, policy: RobotsPolicy) -> None:
        return None


class ArchiveDownloader(Downloader):
    """The archive answers at once: no deadline to keep."""

    def send(self, req: Request) -> Response:
        resp = Response(url=req.url)
        self._send(req, resp)
        return resp


class Unpaced:
    """A replay waits for nothing: every start slot is now, and no backoff holds a host."""

    def reserve(self, gate: HostGate) -> float:
        return 0.0

    def hold(self, gate: HostGate, seconds: float) -> None:
        return None


REPLAY_STEPS = (Statistics, TimeBudget, ArchiveGuard, ArchiveRobots, Conditional, SizeLimit, Pacing, HttpErrors, Retry,
                Redirects, CaptureStep, SizeCap, RecordStep)


def replay_route(archive_dir: Path, index: ReplayIndex | None = None) -> Route:
    """Requests answered from the archive (`route.session.replay_adapter.served` lists them), through the
    replay's steps."""
    return Route(REPLAY_STEPS, ArchiveDownloader, replay_session(archive_dir, index), Unpaced())
