"""NHS Improvement, read from the UK Government Web Archive (the archive banner is not content).

Discovered through the archive's CDX index of improvement.nhs.uk/resources/: the latest status-200
HTML and PDF capture of each page, fetched in raw (`id_`) form, so the page is the publisher's bytes.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Iterator
from urllib.parse import quote

from tracker.sourcelist import Source
from tracker.fetch.urls import host_of
from tracker.items import Candidate, Capture, Publication
from tracker.parse.text import parse_date
from tracker.sources.base import SourceAdapter
from tracker.sources.discovery import SourceDegraded, check_refusal

# Read from the UK Government Web Archive: its publications' hosts are the archived pages' own.
SOURCE = Source(
    name="nhsi", title="NHS Improvement", base_url="https://webarchive.nationalarchives.gov.uk",
    hosts=frozenset({"improvement.nhs.uk"}), speaker="implementing_body", publisher="NHS Improvement", order=4,
)

ARCHIVE_HOST = "webarchive.nationalarchives.gov.uk"
PREFIX = "improvement.nhs.uk/resources/"
KEEP_TYPES = ("text/html", "application/pdf")
_ARCHIVED = re.compile(r"/ukgwa/(\d{14})(?:id_)?/(https?://.+)$")


def original_url(url: str) -> str | None:
    """The archived page's original address, e.g. https://improvement.nhs.uk/resources/..."""
    m = _ARCHIVED.search(url)
    return m.group(2) if m else None


def cdx_url(base_url: str, prefix: str = PREFIX) -> str:
    return f"{base_url}/ukgwa/cdx?url={quote(prefix, safe='/.')}&matchType=prefix&output=json"


def latest_captures(rows: list[list[str]]) -> list[dict]:
    """Status-200 HTML and PDF captures from a CDX JSON answer, the latest per original URL."""
    if not rows:
        return []
    header, *body = rows
    latest: dict[str, dict] = {}
    for row in body:
        rec = dict(zip(header, row))
        if rec.get("statuscode") != "200" or not str(rec.get("mimetype", "")).startswith(KEEP_TYPES):
            continue
        key = rec["original"].split("#")[0]
        if key not in latest or rec["timestamp"] > latest[key]["timestamp"]:
            latest[key] = rec
    return [latest[k] for k in sorted(latest)]


class NHSI(SourceAdapter):
    source = SOURCE
    not_documents = (r"/ukgwa/cdx\b",)

    def owns(self, url: str) -> bool:
        original = original_url(url) if host_of(url) == ARCHIVE_HOST else url
        return bool(original) and host_of(original).endswith(tuple(self.source.hosts))

    def document_type(self, url: str, meta=None) -> str:
        return "resource"

    def discover(self, fetcher, base_url: str, since: date | None) -> Iterator[Candidate]:
        """Archived NHS Improvement resources from the web archive's CDX index, read in raw (id_) form."""
        result = fetcher.get(cdx_url(base_url), conditional=False)
        check_refusal(result, "UK Government Web Archive CDX")
        if not result.ok:
            raise SourceDegraded(f"CDX index unavailable: {result.error or result.status}")
        try:
            rows = result.json()
        except ValueError as exc:
            raise SourceDegraded(f"CDX index did not answer JSON ({exc}); a challenge page?") from exc
        for rec in latest_captures(rows):
            captured = parse_date(f"{rec['timestamp'][:4]}-{rec['timestamp'][4:6]}-{rec['timestamp'][6:8]}")
            if since and captured and captured < since:
                continue
            yield Candidate(url=f"{base_url}/ukgwa/{rec['timestamp']}id_/{rec['original']}", published=None,
                            document_type="pdf" if "pdf" in rec.get("mimetype", "") else "resource")

    def parse_html(self, capture: Capture) -> Publication:
        publication = super().parse_html(capture)
        # Whatever the walker kept of the archive's banner is never the publisher's text.
        publication.blocks = [b for b in publication.blocks if b.role != "banner"]
        return publication
