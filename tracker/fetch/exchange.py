"""What travels through the fetch chain: one `Request` (a hop, an attempt), the `Response` the chain makes
of it, and the `FetchResult` a caller of `Fetcher.get` receives.

A Response whose `refused` is set was never sent: a step refused it (`refused_at` "check": the
allowlist, the address guard on a literal, robots.txt) or the last moment did (`refused_at` "send":
a host stopped meanwhile, or the address guard on the connected socket). A Response whose `follow`
is set asks the Fetcher to run that request next (a retry or a redirect), as a Scrapy downloader
middleware returns a Request.
"""

from __future__ import annotations

import codecs
import json as _json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from enum import Enum

from tracker.fetch.reasons import Failure


class Purpose(Enum):
    PAGE = "page"
    ROBOTS = "robots"  # robots.txt itself: no robots check, its own size cap, its statuses are the policy's


@dataclass
class Request:
    url: str  # canonical URL of this hop
    asked: str  # the canonical URL the fetch began with
    purpose: Purpose = Purpose.PAGE
    conditional: bool = True
    published: date | None = None
    source: str | None = None
    hops: list[str] = field(default_factory=list)  # redirect targets followed so far (this one included)
    previous: str | None = None  # the hop that redirected here
    attempt: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    cap: int = 0  # most body bytes read (set by the size-cap step)
    capture_url: str | None = None  # where the validators' capture came from (set by the conditional step)
    held: object | None = None  # the host gate the pacing step holds for this request

    def retry(self) -> "Request":
        return Request(self.url, self.asked, self.purpose, self.conditional, self.published, self.source,
                       list(self.hops), self.previous, self.attempt + 1, capture_url=self.capture_url)

    def redirect(self, target: str) -> "Request":
        return Request(target, self.asked, self.purpose, self.conditional, self.published, self.source,
                       [*self.hops, target], self.url, capture_url=self.capture_url)


@dataclass
class Response:
    url: str
    status: int = 0
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)  # as stored (transfer headers rewritten)
    body: bytes = b""
    complete: bool = False  # the body was read to its end within the cap
    over_cap: bool = False
    failure: Failure | None = None
    retryable: bool = False
    retry_after: float | None = None
    refused: Failure | None = None  # nothing was sent, and why
    refused_at: str = ""  # "check" | "send"
    sent_headers: list[tuple[str, str]] = field(default_factory=list)
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    follow: Request | None = None  # the request to run next (a retry or a redirect)

    def header(self, name: str) -> str | None:
        return lower_headers(self.headers).get(name.lower())


@dataclass
class FetchResult:
    url: str  # as requested
    final_url: str  # after redirects
    status: int  # 0 when there was no response
    headers: dict[str, str]  # lower-case keys
    body: bytes
    fetched_at: datetime  # UTC, aware
    not_modified: bool = False  # a 304 to a conditional request
    error: str | None = None  # why it failed (after retries), or why a redirect was refused
    skipped: str | None = None  # e.g. "robots.txt disallows", "host not allowed"
    attempts: int = 0  # HTTP requests made for the last hop (retries included)
    redirects: list[str] = field(default_factory=list)  # the hops followed, in order
    failure: Failure | None = None  # the kind behind `error` or `skipped`

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None

    @property
    def outcome(self) -> str:
        """skipped, failed, not_modified, fetched or other: what the run summary counts."""
        if self.skipped:
            return "skipped"
        if self.error:
            return "failed"
        if self.not_modified:
            return "not_modified"
        return "fetched" if self.status == 200 else "other"

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def text(self) -> str:
        """Decoded text: valid UTF-8 wins over a wrong charset header; then the header; then cp1252."""
        body = self.body
        try:
            return body.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        charset = _charset(self.content_type)
        if charset:
            try:
                codecs.lookup(charset)
                return body.decode(charset, errors="replace")
            except LookupError:
                pass
        return body.decode("cp1252", errors="replace")

    def json(self):
        return _json.loads(self.text())


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def lower_headers(headers: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in headers:
        key = k.lower()
        out[key] = f"{out[key]}, {v}" if key in out else v
    return out
