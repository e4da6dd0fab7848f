"""Reading one capture: what kind of document it is, and the shared HTML and PDF paths into a Publication.

Every adapter's `parse` starts here; only what a publisher does differently (GOV.UK's Content API
JSON, Parliament's answers, an archive banner) lives in its own module.
"""

from __future__ import annotations

import hashlib
from typing import Callable

from tracker.errors import TrackerError
from tracker.items import Capture, Publication
from tracker.parse.html import (
    attachment_links,
    content_root,
    html_to_blocks,
    page_meta,
    parse_document,
    text_date_near_top,
)
from tracker.parse.pdf import parse_pdf
from tracker.parse.text import parse_date


class UnsupportedDocument(TrackerError, ValueError):
    """A capture whose content type the tracker cannot read."""


def kind_of(content_type: str, body: bytes) -> str:
    """'pdf', 'json' or 'html' from the content type, checked against the first bytes."""
    ct = (content_type or "").split(";")[0].strip().lower()
    head = body[:1024].lstrip()
    if ct == "application/pdf" or head.startswith(b"%PDF"):
        return "pdf"
    if ct in {"application/json", "application/ld+json"} or ct.endswith("+json"):
        return "json"
    if ct in {"text/html", "application/xhtml+xml"} or head[:1] == b"<":
        return "html"
    raise UnsupportedDocument(f"unsupported content type {content_type or 'unknown'!r}")


def parse_html_capture(
    capture: Capture, source: str, document_type: Callable[[str, object], str]
) -> Publication:
    """The shared HTML path: metadata from the page head, body blocks from its main content."""
    if kind_of(capture.content_type, capture.body) != "html":
        raise UnsupportedDocument(f"expected HTML, got {capture.content_type!r}")
    doc = parse_document(capture.body, capture.content_type)
    meta = page_meta(doc)
    root = content_root(doc)
    blocks = html_to_blocks(root)
    published = capture.published_hint or parse_date(meta.published) or text_date_near_top(blocks)
    return Publication(
        url=capture.url,
        source=source,
        title=meta.title,
        published_on=published,
        updated_on=parse_date(meta.updated),
        document_type=document_type(capture.url, meta),
        blocks=blocks,
        authors=meta.authors,
        topics=meta.topics,
        summary=meta.summary,
        attachments=attachment_links(root, capture.url),
        content_sha256=hashlib.sha256(capture.body).hexdigest(),
    )


def parse_pdf_capture(capture: Capture, source: str) -> Publication:
    doc = parse_pdf(capture.body)
    return Publication(
        url=capture.url,
        source=source,
        title=doc.title,
        published_on=capture.published_hint or doc.created,
        document_type="pdf",
        blocks=doc.blocks,
        content_sha256=hashlib.sha256(capture.body).hexdigest(),
        has_text=doc.has_text,
    )
