"""HTML into structured blocks and page metadata, keeping comments, quotes and banners apart.

Built on lxml.html: it is fast on large pages and caps nesting depth (about 255 levels), so a page of
millions of nested tags parses in milliseconds instead of exhausting memory or recursion. Within that
cap the walk is linear in the page: each element's text is read once (nested lists and tables give
their own blocks rather than being read again by every enclosing one), and which elements hold a
block somewhere below is found in one pass, not asked afresh at every level.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from tracker.fetch.urls import BadUrl, normalise
from tracker.items import Attachment, Block
from tracker.parse.text import clean, parse_date

_DROP_TAGS = {
    "script", "style", "noscript", "template", "svg", "nav", "form", "button", "iframe",
    "select", "input", "img", "picture", "video", "audio", "canvas", "head", "textarea",
    # page furniture: sidebars of other articles' headlines, site and article footers
    "aside", "footer",
}
# ARIA landmarks that are never the page's own text
_DROP_ROLES = {"complementary", "navigation", "banner", "contentinfo", "search"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_PARAGRAPHS = {"p", "pre", "dt", "dd", "figcaption", "caption", "address"}
_BLOCKISH = set(_HEADINGS) | _PARAGRAPHS | {
    "ul", "ol", "table", "div", "section", "article", "blockquote", "li", "dl", "figure", "header",
    "footer", "aside", "main", "details", "summary", "tr", "td", "th", "br", "hr",
}
_BOILERPLATE = re.compile(
    r"cookie|breadcrumb|share|social|newsletter|related|site-header|site-footer|skip-link|"
    r"navigation|menu|signup|promo|advert|pagination|sidebar|teaser|most-read|most-popular|read-next|"
    r"more-from|further-reading|see-also|recommended|trending|latest-(?:news|posts|articles|blogs?|tweets)",
    re.I,
)
_COMMENTS = re.compile(r"(^|[-_\s])comments?($|[-_\s])|comment-list|disqus|reader-views", re.I)
_BANNER = re.compile(r"webarchiveinfobox|archive-?banner|ukgwa|web-?archive", re.I)
_LEADING_NUMBER = re.compile(r"^\(?(\d{1,3}(?:\.\d{1,3})?)[.)]?\s")
# "10) ...", "(3) ...", "4. ...": a number printed as the item's label; "11 national bodies" is a count
_OWN_LABEL = re.compile(r"^(?:\((\d{1,3})\)|(\d{1,3})[.)])\s")
_ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|odt|ods|csv|pptx?)(\?|#|$)", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


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


def parse_document(html: str | bytes, content_type: str = "") -> etree._Element:
    """A whole HTML document as an lxml tree (an empty <html> for empty or unparsable input)."""
    text = decode_html(html, content_type) if isinstance(html, bytes) else html
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        return lxml.html.document_fromstring("<html><body></body></html>")
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>")


def _is_element(node) -> bool:
    return isinstance(node.tag, str)


def _attr_text(el) -> str:
    return f"{el.get('id') or ''} {el.get('class') or ''}".strip()


def _role_of(el) -> str | None:
    attrs = _attr_text(el)
    if _BANNER.search(attrs):
        return "banner"
    if _COMMENTS.search(attrs):
        return "comment"
    if el.tag == "blockquote":
        return "quote"
    return None


def _dropped(el) -> bool:
    if el.tag in _DROP_TAGS or el.get("hidden") is not None or el.get("aria-hidden") == "true" \
            or el.get("role") in _DROP_ROLES:
        return True
    attrs = _attr_text(el)
    return bool(attrs and _BOILERPLATE.search(attrs) and not _COMMENTS.search(attrs))


def text_of(el, skip: frozenset[str] = frozenset()) -> str:
    """An element's visible text, with a space wherever a line break or block boundary falls.

    Elements named in `skip` (e.g. nested lists and tables, which give blocks of their own) are left out.
    """
    parts: list[str] = []

    def walk(node, block_edge: bool) -> None:
        if block_edge:
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        for child in node:
            if _is_element(child) and not _dropped(child) and child.tag not in skip:
                walk(child, child.tag in _BLOCKISH)
            if child.tail:
                parts.append(child.tail)
        if block_edge:
            parts.append(" ")

    walk(el, False)
    return clean("".join(parts))


# what a cell's text leaves out because it gives text of its own: nested tables and rows (their own
# table_row blocks) and list items (their own " \u2022 " parts)
_TABLE_PARTS = frozenset({"table", "tr"})
_NESTED = _TABLE_PARTS | {"ul", "ol", "li"}


def _table_parts(el, tags: frozenset[str] = _TABLE_PARTS, stop: frozenset[str] = frozenset({"table"})):
    """Descendants named in `tags`, in document order, never looking inside a nested table (or `stop`)."""
    stack = list(reversed(el))
    while stack:
        node = stack.pop()
        if not _is_element(node):
            continue
        if node.tag in tags:
            yield node
        if node.tag not in stop:
            stack.extend(reversed(node))


def _cell_text(cell) -> str:
    """A table cell's text; a list inside it keeps its items apart (" \u2022 "), as a list outside would."""
    items = list(_table_parts(cell, frozenset({"li"}), stop=_TABLE_PARTS))
    if not items:
        return text_of(cell, skip=_TABLE_PARTS)
    own = [cell.text or ""]
    for part in cell:
        if _is_element(part) and part.tag not in _NESTED and not _dropped(part):
            own.append(text_of(part, skip=_NESTED))
        if part.tail:
            own.append(part.tail)
    texts = [clean(" ".join(own))] + [text_of(li, skip=_NESTED) for li in items]
    return " \u2022 ".join(t for t in texts if t)


def _block_holders(root) -> set:
    """Every element with a block-level element somewhere below it, in one pass over the tree."""
    holders: set = set()
    for el in root.iterdescendants():
        if not (_is_element(el) and el.tag in _BLOCKISH):
            continue
        parent = el.getparent()
        while parent is not None and parent not in holders:
            holders.add(parent)  # its ancestors are marked by the same climb, so a marked one ends it
            if parent is root:
                break
            parent = parent.getparent()
    return holders


class _Walker:
    def __init__(self, root) -> None:
        self.blocks: list[Block] = []
        self.holders = _block_holders(root)

    def walk(self, el, role: str, depth: int) -> None:
        buffer: list[str] = []

        def flush() -> None:
            text = clean(" ".join(buffer))
            buffer.clear()
            if text:
                self.blocks.append(Block("paragraph", text, role=role))

        if el.text:
            buffer.append(el.text)
        for child in el:
            if not _is_element(child) or _dropped(child):
                if child.tail:
                    buffer.append(child.tail)
                continue
            name = child.tag
            child_role = _role_of(child) or role
            if name not in _BLOCKISH and child_role == role and child not in self.holders:
                buffer.append(text_of(child))
            else:
                flush()
                self.element(child, child_role, depth)
            if child.tail:
                buffer.append(child.tail)
        flush()

    def element(self, el, role: str, depth: int) -> None:
        name = el.tag
        if name in _HEADINGS:
            text = text_of(el)
            if text:
                self.blocks.append(Block("heading", text, level=_HEADINGS[name], role=role))
        elif name in _PARAGRAPHS:
            text = text_of(el)
            if text:
                self.blocks.append(Block("paragraph", text, role=role))
        elif name in {"ul", "ol"}:
            self.walk_list(el, role, depth)
        elif name == "table":
            self.walk_table(el, role)
        elif name in {"br", "hr"}:
            return
        else:
            self.walk(el, role, depth)

    def walk_list(self, lst, role: str, depth: int) -> None:
        ordered = lst.tag == "ol"
        number = _list_start(lst)
        for li in lst:
            if not _is_element(li) or li.tag != "li" or _dropped(li):
                continue
            li_role = _role_of(li) or role
            text, nested = _item_text(li)
            own_label = _OWN_LABEL.match(text)
            printed = (own_label.group(1) or own_label.group(2)) if own_label else ""
            if ordered:
                label, number = _ordered_label(li, printed, number)
            else:
                label = printed
            if text:
                self.blocks.append(Block("list_item", text, level=depth, label=label, role=li_role))
            self.walk_nested(nested, li_role, depth)

    def walk_nested(self, nested: list, role: str, depth: int) -> None:
        """Lists, tables and quotes inside a list item, after the item itself."""
        for sub in nested:
            if sub.tag in {"ul", "ol"}:
                self.walk_list(sub, role, depth + 1)
            elif sub.tag == "table":
                self.walk_table(sub, role)
            else:
                self.walk(sub, _role_of(sub) or role, depth + 1)

    def walk_table(self, table, role: str) -> None:
        if _is_layout(table):  # a page set out in a table: its cells are containers, read as the page
            for cell in _table_parts(table, frozenset({"td", "th"})):
                self.walk(cell, _role_of(cell) or role, 0)
            return
        # a table nested in a cell gives its own rows after the row that holds it, and is left out of that row's text
        for part in _table_parts(table):
            if part.tag == "table":
                self.walk_table(part, role)
                continue
            cells = [_cell_text(c) for c in part if _is_element(c) and c.tag in {"td", "th"}]
            cells = [c for c in cells if c]
            if cells:
                self.blocks.append(Block("table_row", " | ".join(cells), role=role))


def _is_layout(table) -> bool:
    """A table used to lay out a page, not to hold data: a cell holds a heading, or two or more paragraphs."""
    for cell in _table_parts(table, frozenset({"td", "th"})):
        kids = [k for k in cell.iter() if _is_element(k) and k is not cell]
        if any(k.tag in _HEADINGS for k in kids) or sum(1 for k in kids if k.tag == "p") >= 2:
            return True
    return False


def _list_start(lst) -> int:
    try:
        return int(lst.get("start", 1))
    except ValueError:
        return 1


def _item_text(li) -> tuple[str, list]:
    """A list item's own text, and the lists, tables and quotes nested in it (walked after it)."""
    own: list[str] = [li.text or ""]
    nested = []
    for part in li:
        if _is_element(part) and part.tag in {"ul", "ol", "table", "blockquote"}:
            nested.append(part)
        elif _is_element(part) and not _dropped(part):
            own.append(text_of(part))
        if part.tail:
            own.append(part.tail)
    return clean(" ".join(own)), nested


def _ordered_label(li, printed: str, number: int) -> tuple[str, int]:
    """An <ol> item's label and the next item's number. A position is only implied ("#3"); a number
    printed in the item ("10) ...") or its value attribute is its own label."""
    label = printed or f"#{number}"
    if li.get("value", "").isdigit():
        label = li.get("value")
    try:
        number = int(li.get("value", number)) + 1
    except ValueError:
        number += 1
    return label, number


def html_to_blocks(fragment, role: str = "body") -> list[Block]:
    """Structured blocks of an element (or an HTML document or fragment string), in document order."""
    if isinstance(fragment, (str, bytes)):
        root = parse_document(fragment)
        root = root.find("body") if root.find("body") is not None else root
        own_role = role
    else:
        root = fragment
        own_role = _role_of(root) or role
    walker = _Walker(root)
    walker.walk(root, own_role, 0)
    return walker.blocks


def content_root(doc):
    """The page's main content: <main>, role=main, an <article>, #content, else <body>; <body> also when the marked
    element holds little of the page's own text and the rest sits beside it (a document viewer after a <main>
    that holds only the title)."""
    body = doc.find("body")
    for path in ("//main", "//*[@role='main']", "//article", "//*[@id='content' or @id='main-content' or @id='main']"):
        found = doc.xpath(path)
        if found:
            if body is not None and _holds_little(found[0], body):
                return body
            return found[0]
    return body if body is not None else doc


def _prose_length(el, outside=None, enough: int = 1 << 30) -> int:
    """Characters of paragraph and table-cell text under el, furniture (and `outside`) left out; counting stops
    once past `enough`."""
    total, stack = 0, [c for c in el if _is_element(c)]
    while stack and total <= enough:
        node = stack.pop()
        if node is outside or _dropped(node):
            continue
        if node.tag in ("p", "td", "dd"):
            total += len(text_of(node))
        else:
            stack.extend(c for c in node if _is_element(c))
    return total


def _holds_little(main, body) -> bool:
    inside = _prose_length(main, enough=1500)
    if inside > 1500:
        return False  # most pages: a <main> with this much prose is the page, and the body is not measured
    beside = _prose_length(body, outside=main)
    return beside > 800 and beside > 3 * inside


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


def _meta(doc, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name"):
            found = doc.xpath(f"//meta[@{attr}=$n]/@content", n=name)
            if found and found[0].strip():
                return found[0].strip()
    return None


def json_ld(doc) -> list[dict]:
    """Every JSON-LD object on the page (graphs flattened); malformed blocks are ignored."""
    found: list[dict] = []
    for script in doc.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (json.JSONDecodeError, TypeError):
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict):
                found.append(item)
                found.extend(x for x in item.get("@graph", []) if isinstance(x, dict))
    return found


_TOPIC_CLASS = re.compile(r"(^|[\s-])(topic|tag)s?([\s-]|$)", re.I)


def _topic_links(doc) -> list[str]:
    """The text of every link inside (or being) an element whose class names topics or tags, in page
    order; one walk, so tag lists nested in tag lists are not read again for every level."""
    found: list[str] = []
    open_containers: list[bool] = []
    inside = 0
    for event, el in etree.iterwalk(doc, events=("start", "end")):
        container = _is_element(el) and bool(_TOPIC_CLASS.search(el.get("class") or ""))
        if event == "start":
            open_containers.append(container)
            inside += container
            if inside and el.tag == "a":
                found.append(text_of(el))
        else:
            inside -= open_containers.pop()
    return found


def page_meta(doc) -> PageMeta:
    """Title, dates, authors, topics and summary from meta tags, JSON-LD and <time>."""
    meta = PageMeta()
    ld = next((x for x in json_ld(doc) if x.get("headline") or x.get("datePublished")), {})
    h1 = doc.find(".//h1")
    title_tag = doc.find(".//title")
    meta.title = clean(
        _meta(doc, "og:title")
        or str(ld.get("headline") or "")
        or (text_of(h1) if h1 is not None else "")
        or (text_of(title_tag) if title_tag is not None else "")
    )
    times = doc.xpath("//time/@datetime")
    meta.published = (
        _meta(doc, "article:published_time", "DC.date.issued", "dcterms.created", "date")
        or ld.get("datePublished")
        or (times[0] if times else None)
    )
    meta.updated = _meta(doc, "article:modified_time") or ld.get("dateModified")
    authors = ld.get("author") or []
    if isinstance(authors, dict):
        authors = [authors]
    if isinstance(authors, list):
        names = [a.get("name", "") if isinstance(a, dict) else str(a) for a in authors]
    else:
        names = [str(authors)]
    if not names and _meta(doc, "author"):
        names = [_meta(doc, "author") or ""]
    meta.authors = tuple(clean(n) for n in names if clean(n))
    tags = doc.xpath("//meta[@property='article:tag']/@content")
    tags += [text_of(a) for a in doc.xpath("//a[@rel='tag']")]
    tags += _topic_links(doc)
    seen: dict[str, None] = {}
    for tag in tags:
        if clean(tag):
            seen.setdefault(clean(tag), None)
    meta.topics = tuple(seen)
    meta.summary = clean(_meta(doc, "description", "og:description") or str(ld.get("description") or ""))
    meta.page_type = (_meta(doc, "og:type") or str(ld.get("@type") or "")).lower()
    canonical = doc.xpath("//link[@rel='canonical']/@href")
    meta.canonical = canonical[0] if canonical else None
    return meta


def links(root, base_url: str) -> list[tuple[str, str]]:
    """(absolute URL, link text) of every <a href> under root that can be joined: one malformed link
    (in a reader comment, say) is left out, never the page."""
    out = []
    for a in root.iter("a"):
        if a.get("href"):
            try:
                out.append((urljoin(base_url, a.get("href").strip()), text_of(a)))
            except ValueError:
                continue
    return out


def attachment_links(root, base_url: str) -> tuple[Attachment, ...]:
    """Links to files (PDF, Word, spreadsheets) inside the content, in the fetcher's canonical form
    (tracker.fetch.urls) and de-duplicated; a link the fetcher could not read one way only is left out."""

    found: dict[str, Attachment] = {}
    for url, text in links(root, base_url):
        if _ATTACHMENT_EXT.search(url):
            try:
                url = normalise(url)
            except BadUrl:
                continue
            found.setdefault(url, Attachment(url=url, title=text))
    return tuple(found.values())


# What the crawl's link reader scans for, in the page's bytes (regular expressions, so the scan runs in C and
# holds no tree). A tag's attributes never run past the next "<" (and are bounded), so an unclosed
# "<a <a <a ..." page is scanned in linear time.
_SCOPES = (  # content_root's order: <main>, role=main, <article>, #content
    re.compile(rb"<(main)[\s/>]", re.I),
    re.compile(rb"""<([a-z][a-z0-9]{0,20})\s[^<>]{0,4000}?\brole\s*=\s*["']?main["'\s/>]""", re.I),
    re.compile(rb"<(article)[\s/>]", re.I),
    re.compile(rb"""<([a-z][a-z0-9]{0,20})\s[^<>]{0,4000}?\bid\s*=\s*["']?(?:content|main-content|main)["'\s/>]""",
               re.I),
)
# an <a> tag naming a file type somewhere in its attributes; the href is read from it after
_FILE_TAG = re.compile(rb"<a\s([^<>]{0,4000}?\.(?:pdf|docx?|xlsx?|odt|ods|csv|pptx?)[^<>]{0,4000})>", re.I)
_HREF = re.compile(rb"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""", re.I)
MAX_PAGE_LINKS = 1000  # file links taken from one page: a listing lists fewer, a hostile page no more


def scan_attachment_links(body: bytes, base_url: str, limit: int = MAX_PAGE_LINKS) -> tuple[Attachment, ...]:
    """attachment_links without parsing the page: the file links inside its main content (chosen as
    content_root chooses), found by scanning its bytes. The crawl reads links of every page it follows
    from, in its own process: a 48 MB page of nested tags cost a full parse 2.6 GB; this costs the bytes.

    At most `limit` links; a link the fetcher could not read one way only is left out."""
    start, end = _scope(body)
    found: dict[str, Attachment] = {}
    for tag in _FILE_TAG.finditer(body, start, end):
        href = _HREF.search(tag.group(1))
        if href is None:
            continue
        raw = next(group for group in href.groups() if group is not None)
        href = html.unescape(raw.decode("utf-8", errors="replace")).strip()
        try:
            url = urljoin(base_url, href)
            if not _ATTACHMENT_EXT.search(url):
                continue
            url = normalise(url)
        except (BadUrl, ValueError):
            continue
        found.setdefault(url, Attachment(url=url))
        if len(found) >= limit:
            break
    return tuple(found.values())


def _scope(body: bytes) -> tuple[int, int]:
    """(start, end) of the main content's bytes: the first scope element that exists, to its closing tag."""
    for pattern in _SCOPES:
        opening = pattern.search(body)
        if opening is None:
            continue
        tag = re.escape(opening.group(1).lower())
        depth = 0
        for mark in re.compile(rb"<(/?)" + tag + rb"[\s/>]", re.I).finditer(body, opening.start()):
            depth += -1 if mark.group(1) else 1
            if depth == 0:
                return opening.start(), mark.end()
        return opening.start(), len(body)
    return 0, len(body)


def text_date_near_top(blocks: list[Block], limit: int = 8):
    """A date written as text ("8 June 2022") in the first few blocks, as publishers show it."""
    for block in blocks[:limit]:
        found = parse_date(block.text) if len(block.text) < 80 else None
        if found:
            return found
    return None
