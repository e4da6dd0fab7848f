"""site/feeds/changes.atom and site/feeds/<review_id>.atom: the changes the tracker detected, as Atom 1.0
(RFC 4287) feeds a reader can follow, one for all reviews and one per review.

An entry is one row of the change log, which records each change once, by the version that first saw it: its
id is a tag: URI (RFC 4151) made from the change's identity and that version, so re-running the outputs, or a
run that finds nothing new, never makes a new entry. The feed holds the changes detected in the WINDOW before
the version was published (the version's time, never the clock's); `updated` is when a change was detected.
Links point at TRACKER_SITE_URL when it is set, else relative to the feed's own address.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import duckdb
from lxml import etree

from tracker.parse.text import xml_text
from tracker.publish.site.context import Context
from tracker.publish.site.data import SiteData
from tracker.vocabulary import phrase
from tracker.warehouse.changelog import CHANGE_TYPES, ROW_ORDER, Change
from tracker.warehouse.rows import select

ATOM = "http://www.w3.org/2005/Atom"
FEEDS_DIR = "feeds"
ALL = "changes"
WINDOW = timedelta(weeks=13)
# The tag: URIs' authority and date (RFC 4151): a name this project alone uses, fixed so ids never change.
TAG = "tag:nhs-leadership-tracker.example,2026"


def _identity(c: Change) -> str:
    """What the change was and the version that first saw it (never which run, nor when)."""
    parts = (c.change_type, c.review_id, c.number, c.axis, c.before, c.after, c.published_on, c.source_url,
             c.title_or_quote, c.version_file)
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()[:32]


def load_feed_changes(con: duckdb.DuckDBPyConnection, published_at: datetime | None) -> list[Change]:
    """The changes detected in the WINDOW up to the version's publication, newest first."""
    if published_at is None:
        return []
    try:
        return select(con, Change, "change_log", f"WHERE detected_at > ? AND detected_at <= ? "
                      f"ORDER BY detected_at DESC, {ROW_ORDER}, change_id", [published_at - WINDOW, published_at])
    except duckdb.CatalogException:  # a version published before the change log existed
        return []


def _text(value) -> str:
    """Scraped text as XML 1.0 allows it (no control characters, no lone surrogates)."""
    return xml_text("" if value is None else str(value))


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")  # the warehouse keeps UTC without a zone


def _href(ctx: Context, name: str) -> str:
    """A page of the site as the feed links it: on TRACKER_SITE_URL, else relative to feeds/."""
    return f"{ctx.site_url}{name}" if ctx.site_url else f"../{name}"


def _title(c: Change, ctx: Context) -> str:
    who = ctx.names.get(c.review_id or "", c.review_id or "")
    which = f"{who} #{c.number}" if c.number is not None else who
    if c.change_type == "status_change":
        return f"{which}, {c.axis}: {phrase(c.before or 'none')} \u2192 {phrase(c.after or 'none')}"
    if c.change_type in ("new_evidence", "withdrawn_evidence"):
        return f"{CHANGE_TYPES[c.change_type]}: {which}, {c.axis} {phrase(c.after or c.before or '')}".rstrip()
    if c.change_type.endswith("recommendation"):
        return f"{CHANGE_TYPES[c.change_type]}: {which}"
    return f"{CHANGE_TYPES[c.change_type]}: {c.title_or_quote or c.source_url or ''}".rstrip()


def _summary(c: Change, ctx: Context) -> str:
    cited = ctx.citations.get(c.source_url or "") or c.source_url or ""
    said = f"\u201c{c.title_or_quote}\u201d" if c.title_or_quote and not c.change_type.endswith("publication") \
        else (c.title_or_quote or "")
    return " \u2014 ".join(x for x in (said, cited, c.source_url if cited != c.source_url else "") if x)


def _link(parent, href: str, rel: str, kind: str | None = None) -> None:
    attrs = {"rel": rel, "href": _text(href)}
    if kind:
        attrs["type"] = kind
    etree.SubElement(parent, f"{{{ATOM}}}link", attrs)


def _add(parent, tag: str, text: str, **attrs) -> None:
    etree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs).text = _text(text)


def _entry(feed, c: Change, ctx: Context) -> None:
    entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
    _add(entry, "id", f"{TAG}:change/{_identity(c)}")
    _add(entry, "title", _title(c, ctx), type="text")
    _add(entry, "updated", _stamp(c.detected_at))
    key = f"{c.review_id}-{c.number}"
    page = f"recommendations/{key}.html" if key in ctx.pages else "index.html#changes"
    _link(entry, _href(ctx, page), "alternate", "text/html")
    if c.source_url and c.source_url.startswith(("http://", "https://")):
        _link(entry, c.source_url, "related")
    etree.SubElement(entry, f"{{{ATOM}}}category", {"term": c.change_type, "label": CHANGE_TYPES[c.change_type]})
    _add(entry, "summary", _summary(c, ctx), type="text")


def feed_xml(changes: list[Change], ctx: Context, *, name: str, title: str, updated: datetime | None) -> str:
    """One feed: `name` its file inside feeds/ without .atom, `title` what a reader lists it as."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _add(feed, "id", f"{TAG}:feed/{name}")
    _add(feed, "title", title, type="text")
    _add(feed, "subtitle", f"Changes detected in the {WINDOW.days // 7} weeks before the version of "
         f"{updated:%Y-%m-%d %H:%M} UTC" if updated else "No published version yet", type="text")
    newest = max((c.detected_at for c in changes), default=None) or updated or datetime(1970, 1, 1)
    _add(feed, "updated", _stamp(newest))
    author = etree.SubElement(feed, f"{{{ATOM}}}author")
    _add(author, "name", "NHS leadership policy tracker")
    _link(feed, f"{ctx.site_url}{FEEDS_DIR}/{name}.atom" if ctx.site_url else f"{name}.atom", "self",
          "application/atom+xml")
    _link(feed, _href(ctx, "index.html"), "alternate", "text/html")
    for c in changes:
        _entry(feed, c, ctx)
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True).decode("utf-8")


def feed_pages(data: SiteData, changes: list[Change], ctx: Context) -> dict[str, str]:
    """feeds/changes.atom and one feeds/<review_id>.atom per review, path inside site/ -> XML."""
    pages = {f"{FEEDS_DIR}/{ALL}.atom": feed_xml(changes, ctx, name=ALL, title="NHS leadership reviews: changes",
                                                 updated=data.published_at)}
    for review in data.reviews:
        mine = [c for c in changes if c.review_id == review.review_id]
        pages[f"{FEEDS_DIR}/{review.review_id}.atom"] = feed_xml(
            mine, ctx, name=review.review_id, title=f"{review.name}: changes", updated=data.published_at)
    return pages


def feed_names(data: SiteData) -> list[tuple[str, str]]:
    """(file inside site/, what it follows) for every feed, all reviews first."""
    return [(f"{FEEDS_DIR}/{ALL}.atom", "all reviews")] + [
        (f"{FEEDS_DIR}/{r.review_id}.atom", r.name) for r in data.reviews]
