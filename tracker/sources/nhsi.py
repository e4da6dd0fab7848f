"""NHS Improvement, read from the UK Government Web Archive (the archive banner is not content)."""

from __future__ import annotations

import re

from tracker.items import Capture, Publication
from tracker.sources.generic import parse_html_capture, parse_pdf_capture

ARCHIVE_HOST = "webarchive.nationalarchives.gov.uk"
_ARCHIVED = re.compile(r"/ukgwa/(\d{14})(?:id_)?/(https?://.+)$")


def original_url(url: str) -> str | None:
    """The archived page's original address, e.g. https://improvement.nhs.uk/resources/..."""
    m = _ARCHIVED.search(url)
    return m.group(2) if m else None


def owns(url: str) -> bool:
    from tracker.sources import host_of

    original = original_url(url) if host_of(url) == ARCHIVE_HOST else url
    return bool(original) and host_of(original).endswith("improvement.nhs.uk")


def parse(capture: Capture) -> Publication:
    from tracker.sources import kind_of

    if kind_of(capture.content_type, capture.body) == "pdf":
        return parse_pdf_capture(capture, "nhsi")
    publication = parse_html_capture(capture, "nhsi", lambda url, meta: "resource")
    # Whatever the walker kept of the archive's banner is never the publisher's text.
    publication.blocks = [b for b in publication.blocks if b.role != "banner"]
    return publication
