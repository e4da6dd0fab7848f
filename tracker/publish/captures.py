"""Archived copies that are safe to open from disk: a publisher's page, not the publisher's scripts.

The briefing links each quote to the page it came from (site/captures/). Opened from a USB stick,
the raw page would run its scripts and load trackers, fonts and frames from the live web. HTML
copies are therefore rewritten: scripts, frames, embedded objects, <base>, <link> and
http-equiv metas removed, event-handler attributes and javascript: URLs dropped, and a
Content-Security-Policy meta put first that blocks every script and every load (inline styles and
data: images excepted). The text stays as published. PDF and JSON copies are the captured bytes;
the exact bytes of every capture stay in the WARC archive, named by the same SHA-256.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from tracker.parse.html import decode_html, parse_document

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"
_REMOVED = ("script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link",
            "portal", "template")
_URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "background", "poster", "data", "ping")
_ACTIVE_URL = re.compile(r"^\s*(?:javascript|vbscript|data)\s*:", re.I)


def safe_copy(body: bytes, content_type: str) -> bytes:
    """What site/captures/ holds for one capture: HTML made inert (UTF-8), anything else as captured."""
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime not in {"text/html", "application/xhtml+xml"}:
        return body
    return inert_html(body, content_type)


def inert_html(body: bytes, content_type: str = "") -> bytes:
    doc = parse_document(decode_html(body, content_type))
    for el in list(doc.iter(*_REMOVED)):
        el.drop_tree()
    for meta in doc.xpath("//meta[@http-equiv or @charset]"):
        meta.drop_tree()  # refresh redirects, the page's own policy, and a charset this copy no longer has
    for el in doc.iter(etree.Element):
        for name in list(el.attrib):
            lowered = name.lower()
            if lowered.startswith("on") or lowered == "srcdoc" or (
                    lowered in _URL_ATTRS and _ACTIVE_URL.match(el.get(name) or "")):
                del el.attrib[name]
    head = doc.find("head")
    if head is None:
        head = etree.Element("head")
        doc.insert(0, head)
    head.insert(0, etree.Element("meta", {"http-equiv": "Content-Security-Policy", "content": CSP}))
    head.insert(0, etree.Element("meta", {"charset": "utf-8"}))
    return b"<!DOCTYPE html>\n" + lxml.html.tostring(doc, encoding="utf-8")
