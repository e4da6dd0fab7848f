"""DHSC on GOV.UK: Content API JSON pages and their PDF attachments."""

from __future__ import annotations

import hashlib

from tracker.items import Capture, Publication
from tracker.parse.govuk import parse_content_item
from tracker.sources.generic import parse_html_capture, parse_pdf_capture

HOSTS = {"www.gov.uk", "gov.uk", "assets.publishing.service.gov.uk"}


def owns(url: str) -> bool:
    from tracker.sources import host_of

    return host_of(url) in HOSTS


def parse(capture: Capture) -> Publication:
    from tracker.sources import kind_of

    kind = kind_of(capture.content_type, capture.body)
    if kind == "pdf":
        return parse_pdf_capture(capture, "dhsc")
    if kind == "json":
        publication = parse_content_item(capture.body)
        publication.published_on = publication.published_on or capture.published_hint
        publication.content_sha256 = hashlib.sha256(capture.body).hexdigest()
        return publication
    return parse_html_capture(capture, "dhsc", lambda url, meta: "web_page")
