"""HTML into structured blocks and page metadata, keeping comments, quotes and banners apart."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment as HtmlComment

from tracker.items import Attachment, Block
from tracker.parse.text import clean, parse_date

_DROP_TAGS = {
    "script", "style", "noscript", "template", "svg", "nav", "form", "button", "iframe",
    "select", "input", "img", "picture", "video", "audio", "canvas", "head",
}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_CONTAINERS = {
    "div", "section", "article", "main", "body", "html", "header", "footer", "aside",
    "figure", "details", "summary", "dl", "center", "span", "font",
}
_BLOCKISH = set(_HEADINGS) | {
    "p", "ul", "ol", "table", "div", "section", "article", "blockquote", "li", "dl", "pre",
    "figure", "header", "footer", "aside", "main",
}
_BOILERPLATE = re.compile(
    r"cookie|breadcrumb|share|social|newsletter|related|site-header|site-footer|skip-link|"
    r"navigation|menu|signup|promo|advert|pagination",
    re.I,
)
_COMMENTS = re.compile(r"(^|[-_\s])comments?($|[-_\s])|comment-list|disqus|reader-views", re.I)
_BANNER = re.compile(r"webarchiveinfobox|archive-?banner|ukgwa|web-?archive", re.I)
_LEADING_NUMBER = re.compile(r"^\(?(\d{1,3}(?:\.\d{1,3})?)[.)]?\s")
_ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|odt|ods|csv|pptx?)(\?|#|$)", re.I)


def decode_html(body: bytes, content_type: str = "") -> str:
    """Decode HTML bytes: valid UTF-8 wins over a wrong charset header, then the header, then cp1252."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = re.search(r"charset=([\w-]+)", content_type or "", re.I)
    for encoding in ([m.group(1)] if m else []) + ["cp1252", "latin-1"]:
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def soup_of(html: str | bytes, content_type: str = "") -> BeautifulSoup:
    text = decode_html(html, content_type) if isinstance(html, bytes) else html
    return BeautifulSoup(text, "lxml")


def _attr_text(el: Tag) -> str:
    return " ".join(filter(None, [el.get("id") or "", " ".join(el.get("class") or [])]))


def _role_of(el: Tag) -> str | None:
    attrs = _attr_text(el)
    if not attrs and el.name != "blockquote":
        return None
    if _BANNER.search(attrs):
        return "banner"
    if _COMMENTS.search(attrs):
        return "comment"
    if el.name == "blockquote":
        return "quote"
    return None


def _dropped(el: Tag) -> bool:
    if el.name in _DROP_TAGS:
        return True
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    attrs = _attr_text(el)
    return bool(attrs and _BOILERPLATE.search(attrs) and not _COMMENTS.search(attrs))


@dataclass
class _Walker:
    blocks: list[Block] = field(default_factory=list)

    def walk(self, el: Tag, role: str, depth: int) -> None:
        buffer: list[str] = []

        def flush() -> None:
            text = clean(" ".join(buffer))
            buffer.clear()
            if text:
                self.blocks.append(Block("paragraph", text, role=role))

        for child in el.children:
            if isinstance(child, HtmlComment):
                continue
            if isinstance(child, NavigableString):
                buffer.append(str(child))
                continue
            if not isinstance(child, Tag) or _dropped(child):
                continue
            name = child.name
            child_role = _role_of(child) or role
            if name not in _BLOCKISH and not _has_block(child):
                if child_role == role:
                    buffer.append(child.get_text(" "))
                    continue
            flush()
            if name in _HEADINGS:
                text = clean(child.get_text(" "))
                if text:
                    self.blocks.append(Block("heading", text, level=_HEADINGS[name], role=child_role))
            elif name in {"p", "pre", "dt", "dd", "figcaption", "caption"}:
                text = clean(child.get_text(" "))
                if text:
                    self.blocks.append(Block("paragraph", text, role=child_role))
            elif name in {"ul", "ol"}:
                self.walk_list(child, child_role, depth)
            elif name == "table":
                self.walk_table(child, child_role)
            elif name == "br":
                continue
            else:
                self.walk(child, child_role, depth)
        flush()

    def walk_list(self, lst: Tag, role: str, depth: int) -> None:
        ordered = lst.name == "ol"
        try:
            number = int(lst.get("start", 1))
        except ValueError:
            number = 1
        for li in lst.find_all("li", recursive=False):
            if _dropped(li):
                continue
            li_role = _role_of(li) or role
            own: list[str] = []
            nested: list[Tag] = []
            for part in li.children:
                if isinstance(part, Tag) and part.name in {"ul", "ol"}:
                    nested.append(part)
                elif isinstance(part, Tag) and part.name in {"table", "blockquote"}:
                    nested.append(part)
                elif isinstance(part, Tag) and _dropped(part):
                    continue
                elif isinstance(part, (Tag, NavigableString)) and not isinstance(part, HtmlComment):
                    own.append(part.get_text(" ") if isinstance(part, Tag) else str(part))
            text = clean(" ".join(own))
            if ordered:
                label = str(number)
                try:
                    number = int(li.get("value", number)) + 1
                except ValueError:
                    number += 1
            else:
                m = _LEADING_NUMBER.match(text)
                label = m.group(1) if m else ""
            if text:
                self.blocks.append(Block("list_item", text, level=depth, label=label, role=li_role))
            for sub in nested:
                if sub.name in {"ul", "ol"}:
                    self.walk_list(sub, li_role, depth + 1)
                elif sub.name == "table":
                    self.walk_table(sub, li_role)
                else:
                    self.walk(sub, _role_of(sub) or li_role, depth + 1)

    def walk_table(self, table: Tag, role: str) -> None:
        for tr in table.find_all("tr"):
            cells = [clean(c.get_text(" ")) for c in tr.find_all(["th", "td"], recursive=False)]
            cells = [c for c in cells if c]
            if cells:
                self.blocks.append(Block("table_row", " | ".join(cells), role=role))


def _has_block(el: Tag) -> bool:
    return any(isinstance(d, Tag) and d.name in _BLOCKISH for d in el.descendants)


def html_to_blocks(fragment: Tag | str, role: str = "body") -> list[Block]:
    """Structured blocks of an element (or an HTML fragment string), in document order."""
    root = soup_of(fragment) if isinstance(fragment, str) else fragment
    walker = _Walker()
    if isinstance(root, BeautifulSoup):
        body = root.body or root
        walker.walk(body, role, 0)
    else:
        walker.walk(root, _role_of(root) or role, 0)
    return walker.blocks


def content_root(soup: BeautifulSoup) -> Tag:
    """The page's main content: <main>, role=main, a single <article>, else <body>."""
    for finder in (
        lambda: soup.find("main"),
        lambda: soup.find(attrs={"role": "main"}),
        lambda: soup.find("article"),
        lambda: soup.find(id=re.compile(r"^(content|main-content|main)$")),
    ):
        found = finder()
        if found is not None:
            return found
    return soup.body or soup


@dataclass
class PageMeta:
    title: str = ""
    published: str | None = None
    updated: str | None = None
    authors: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    summary: str = ""
    page_type: str = ""
    canonical: str | None = None


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if tag and tag.get("content"):
            return tag["content"].strip()
    return None


def json_ld(soup: BeautifulSoup) -> list[dict]:
    """Every JSON-LD object on the page (graphs flattened); malformed blocks are ignored."""
    found: list[dict] = []
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError):
            continue
        stack = data if isinstance(data, list) else [data]
        for item in stack:
            if isinstance(item, dict):
                found.append(item)
                found.extend(x for x in item.get("@graph", []) if isinstance(x, dict))
    return found


def page_meta(soup: BeautifulSoup) -> PageMeta:
    """Title, dates, authors, topics and summary from meta tags, JSON-LD and <time>."""
    meta = PageMeta()
    ld = next((x for x in json_ld(soup) if x.get("headline") or x.get("datePublished")), {})
    h1 = soup.find("h1")
    title_tag = soup.find("title")
    meta.title = clean(
        _meta(soup, "og:title")
        or ld.get("headline")
        or (h1.get_text(" ") if h1 else "")
        or (title_tag.get_text(" ") if title_tag else "")
    )
    time_tag = soup.find("time", attrs={"datetime": True})
    meta.published = (
        _meta(soup, "article:published_time", "DC.date.issued", "dcterms.created", "date")
        or ld.get("datePublished")
        or (time_tag["datetime"] if time_tag else None)
    )
    meta.updated = _meta(soup, "article:modified_time") or ld.get("dateModified")
    authors = ld.get("author") or []
    if isinstance(authors, dict):
        authors = [authors]
    names = [a.get("name", "") if isinstance(a, dict) else str(a) for a in authors]
    if not names and _meta(soup, "author"):
        names = [_meta(soup, "author") or ""]
    meta.authors = tuple(clean(n) for n in names if clean(n))
    tags = [t["content"] for t in soup.find_all("meta", attrs={"property": "article:tag"}) if t.get("content")]
    tags += [a.get_text(" ") for a in soup.find_all("a", attrs={"rel": "tag"})]
    for el in soup.find_all(class_=re.compile(r"(^|-)(topic|tag)s?(-|$)", re.I)):
        if el.name == "a":
            tags.append(el.get_text(" "))
        else:
            tags.extend(a.get_text(" ") for a in el.find_all("a"))
    seen: dict[str, None] = {}
    for tag in tags:
        if clean(tag):
            seen.setdefault(clean(tag), None)
    meta.topics = tuple(seen)
    meta.summary = clean(_meta(soup, "description", "og:description") or ld.get("description") or "")
    meta.page_type = (_meta(soup, "og:type") or ld.get("@type") or "").lower()
    link = soup.find("link", attrs={"rel": "canonical"})
    meta.canonical = link["href"] if link and link.get("href") else None
    return meta


def attachment_links(root: Tag, base_url: str) -> tuple[Attachment, ...]:
    """Links to files (PDF, Word, spreadsheets) inside the content, absolute and de-duplicated."""
    found: dict[str, Attachment] = {}
    for a in root.find_all("a", href=True):
        href = a["href"].strip()
        if _ATTACHMENT_EXT.search(href):
            url = urljoin(base_url, href)
            found.setdefault(url, Attachment(url=url, title=clean(a.get_text(" "))))
    return tuple(found.values())


def text_date_near_top(blocks: list[Block], limit: int = 8):
    """A date written as text ("8 June 2022") in the first few blocks, as publishers show it."""
    for block in blocks[:limit]:
        found = parse_date(block.text) if len(block.text) < 80 else None
        if found:
            return found
    return None
