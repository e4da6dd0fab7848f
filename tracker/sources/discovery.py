"""Discovery helpers shared by the adapters: sitemaps, paginated listings, and a degraded-source signal."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Iterator
from urllib.parse import urljoin, urlsplit

from lxml import etree

from tracker.errors import TrackerError
from tracker.fetch import urls
from tracker.items import Candidate
from tracker.parse.html import parse_document, text_of
from tracker.parse.text import clean, parse_date

log = logging.getLogger(__name__)

# Listing pages and sitemaps are parsed whole (lxml, in the crawl's process) up to this many tags (a "<",
# opening or closing), each up to about 150 bytes of tree: publishers' listings have a few thousand, a full
# sitemap (50,000 URLs, the protocol's most, with lastmod, changefreq and priority) half a million, while a
# page of millions of nested tags would cost gigabytes (2.6 GB for 48 MB).
MAX_LISTING_TAGS = 100_000
MAX_SITEMAP_TAGS = 1_000_000


class SourceDegraded(TrackerError, RuntimeError):
    """The source answered with a challenge or refusal (e.g. 403/405): report it loudly, do not crash."""


def _ok(result) -> bool:
    return bool(result is not None and result.ok)


def bad_link(fetcher, url: str, why: object) -> None:
    """Skip one unreadable link and count it (the fetcher reports the count in the run summary)."""
    note = getattr(fetcher, "note_bad_link", None)
    if callable(note):
        note(url, str(why))
    else:
        log.warning("skipping a malformed link (%s): %r", why, url[:200])


def check_refusal(result, what: str) -> None:
    """Raise SourceDegraded when a listing answers 403/405/429 (bot challenges, refusals)."""
    if result is not None and result.status in {401, 403, 405, 429}:
        raise SourceDegraded(f"{what} answered HTTP {result.status} at {result.final_url or result.url}")


def parse_sitemap(data: bytes) -> tuple[list[tuple[str, date | None]], list[str]]:
    """(page URLs with lastmod, child sitemap URLs) from a sitemap or sitemap index."""
    pages, children = _parse_sitemap(data)
    return pages, [loc for loc, _ in children]


def _parse_sitemap(data: bytes) -> tuple[list[tuple[str, date | None]], list[tuple[str, date | None]]]:
    data = _first_tags(data, "a sitemap", MAX_SITEMAP_TAGS)  # recover=True reads a cut document as far as it goes
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    except etree.XMLSyntaxError:
        return [], []
    if root is None:
        return [], []
    pages, children = [], []
    for node in root:
        tag = etree.QName(node).localname if isinstance(node.tag, str) else ""
        loc = next((c.text for c in node if isinstance(c.tag, str) and etree.QName(c).localname == "loc"), None)
        lastmod = next((c.text for c in node if isinstance(c.tag, str) and etree.QName(c).localname == "lastmod"), None)
        if not loc:
            continue
        if tag == "sitemap":
            children.append((loc.strip(), parse_date(lastmod)))
        elif tag == "url":
            pages.append((loc.strip(), parse_date(lastmod)))
    return pages, children


def sitemap_candidates(
    fetcher, sitemap_urls: list[str], keep: re.Pattern, since: date | None, max_sitemaps: int = 50
) -> Iterator[Candidate]:
    """Walk sitemaps (and sitemap indexes) breadth first, yielding pages whose URL matches `keep`."""
    queue, seen = list(sitemap_urls), set()
    while queue and len(seen) < max_sitemaps:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        result = fetcher.get(url)
        check_refusal(result, "sitemap")
        if not _ok(result):
            continue
        pages, children = _parse_sitemap(result.body)
        for child, lastmod in children:
            if since and lastmod and lastmod < since:
                continue  # a child sitemap last changed before `since` lists nothing newer
            try:
                child = urls.normalise(child)
            except urls.BadUrl as exc:
                bad_link(fetcher, child, exc)
                continue
            if child not in seen:
                queue.append(child)
        for loc, lastmod in pages:
            try:
                loc = urls.normalise(loc)
            except urls.BadUrl as exc:  # one bad <loc> never costs the rest of the sitemap
                bad_link(fetcher, loc, exc)
                continue
            if keep.search(loc) and (since is None or lastmod is None or lastmod >= since):
                yield Candidate(url=loc, published=lastmod)


def robots_sitemaps(fetcher, base_url: str) -> list[str]:
    """Sitemap URLs named in the host's robots.txt (the fetcher's cached copy when it has one)."""
    named = getattr(fetcher, "sitemaps", None)
    if callable(named):
        return list(named(base_url))
    result = fetcher.get(urljoin(base_url + "/", "/robots.txt"))
    if not _ok(result):
        return []
    return [line.split(":", 1)[1].strip() for line in result.text().splitlines() if line.lower().startswith("sitemap:")]


def listing_candidates(
    fetcher, start_url: str, keep: re.Pattern, since: date | None, max_pages: int = 30
) -> Iterator[Candidate]:
    """Follow a paginated listing (rel=next, a 'Next' link or ?page=N+1), yielding linked items."""
    url, pages, seen_items = start_url, 0, set()
    host = urls.parse(start_url).netloc
    while url and pages < max_pages:
        pages += 1
        result = fetcher.get(url)
        check_refusal(result, "listing")
        if not _ok(result):
            break
        doc = parse_document(_first_tags(result.body, f"listing page {url}"), result.headers.get("content-type", ""))
        here = result.final_url or url
        new = 0
        oldest: date | None = None
        for a in doc.iter("a"):
            if not a.get("href"):
                continue
            try:
                link = urls.join(here, a.get("href"))
            except urls.BadUrl as exc:
                bad_link(fetcher, a.get("href"), exc)
                continue
            if urlsplit(link).netloc != host or not keep.search(urlsplit(link).path) or link in seen_items:
                continue
            seen_items.add(link)
            container = next((p for p in a.iterancestors() if p.tag in {"li", "article", "div"}), None)
            time_tag = container.find(".//time") if container is not None else None
            published = parse_date(time_tag.get("datetime") or text_of(time_tag)) if time_tag is not None else None
            if published and (oldest is None or published < oldest):
                oldest = published
            if since and published and published < since:
                continue
            new += 1
            yield Candidate(url=link, title=text_of(a), published=published)
        if new == 0 or (since and oldest and oldest < since):
            break  # an incremental run stops paging once the listing is older than `since`
        url = _next_page(fetcher, doc, here)


def _first_tags(body: bytes, what: str, limit: int = MAX_LISTING_TAGS) -> bytes:
    """The page up to its `limit`-th tag (all of it when it has fewer)."""
    if body.count(b"<") <= limit:
        return body
    cut = -1
    for _ in range(limit):
        cut = body.find(b"<", cut + 1)
    log.warning("%s has more than %d tags: only the first %d are read", what, limit, limit)
    return body[:cut]


_NEXT = {"next", "next page", "next \u203a", "next \u00bb", "\u203a", "\u00bb"}


def _next_page(fetcher, doc, current: str) -> str | None:
    hrefs = doc.xpath("//a[@rel='next']/@href | //link[@rel='next']/@href")
    if not hrefs:
        hrefs = [a.get("href") for a in doc.iter("a") if a.get("href") and clean(text_of(a)).lower() in _NEXT]
    if hrefs:
        try:
            return urls.join(current, hrefs[0])
        except urls.BadUrl as exc:
            bad_link(fetcher, hrefs[0], exc)
            return None
    m = re.search(r"([?&]page=)(\d+)", current)
    if m:
        return current[: m.start(2)] + str(int(m.group(2)) + 1) + current[m.end(2):]
    return None
