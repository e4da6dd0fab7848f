"""GOV.UK Content API JSON (publication, html_publication, news_article, ...) into a Publication."""

from __future__ import annotations

import json

from tracker.errors import TrackerError
from tracker.items import Attachment, Block, Publication
from tracker.parse.html import html_to_blocks
from tracker.parse.text import clean, parse_date

WEB_ROOT = "https://www.gov.uk"


class NotGovukContent(TrackerError, ValueError):
    """JSON that is not a GOV.UK Content API item."""


def web_url(base_path: str) -> str:
    return WEB_ROOT + base_path


def _get(obj: dict, key: str, kind: type, where: str = ""):
    """obj[key] when it has the expected JSON type, None when absent or null; else NotGovukContent."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, kind):
        expected = {str: "a string", dict: "an object", list: "a list"}[kind]
        raise NotGovukContent(f"{where}{key} is {type(value).__name__}, expected {expected}")
    return value


def _objects(obj: dict, key: str, where: str = "") -> list[dict]:
    """A list of JSON objects (links, attachments, change history)."""
    items = _get(obj, key, list, where) or []
    if not all(isinstance(item, dict) for item in items):
        raise NotGovukContent(f"{where}{key} holds something that is not an object")
    return items


def _link_url(link: dict) -> str | None:
    web = _get(link, "web_url", str, "link ")
    if web:
        return web
    base = _get(link, "base_path", str, "link ")
    return web_url(base) if base else None


def _date(obj: dict, key: str, where: str = ""):
    return parse_date(_get(obj, key, str, where))


def _content_item(data: dict | bytes | str) -> dict:
    """The item as a dict with a base_path and a title, or NotGovukContent."""
    if not isinstance(data, dict):
        try:
            data = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise NotGovukContent(f"invalid JSON: {exc}") from exc
        except RecursionError as exc:
            raise NotGovukContent("invalid JSON: nested too deeply") from exc
    if not isinstance(data, dict) or not isinstance(data.get("base_path"), str) or "title" not in data:
        raise NotGovukContent("not a GOV.UK content item (no base_path/title)")
    return data


def _body_blocks(details: dict) -> list[Block]:
    body = details.get("body")
    if isinstance(body, list):  # multi-part bodies are sent as [{content_type, content}]
        parts = _objects(details, "body", "details.")
        body = next((_get(p, "content", str, "details.body ") for p in parts if p.get("content_type") == "text/html"),
                    "")
    elif body is not None and not isinstance(body, str):
        raise NotGovukContent(f"details.body is {type(body).__name__}, expected a string or a list")
    return html_to_blocks(body) if body and body.strip() else []


def _attachments(details: dict) -> list[Attachment]:
    attachments = []
    for att in _objects(details, "attachments", "details."):
        url = _get(att, "url", str, "attachment ")
        if not url:
            continue
        if url.startswith("/"):
            url = WEB_ROOT + url
        attachments.append(Attachment(url=url, title=clean(_get(att, "title", str, "attachment ") or ""),
                                      content_type=_get(att, "content_type", str, "attachment ") or ""))
    return attachments


def content_links(data: bytes) -> tuple[tuple[Attachment, ...], tuple[str, ...]]:
    """(attachments, child pages) of a content item, without reading its body: what the crawl follows."""
    data = _content_item(data)
    details = _get(data, "details", dict) or {}
    links = _get(data, "links", dict) or {}
    return tuple(_attachments(details)), tuple(u for u in map(_link_url, _objects(links, "children", "links.")) if u)


def _published(data: dict, details: dict):
    """First published, else the earliest change, else the last update."""
    published = _date(data, "first_published_at") or _date(details, "first_public_at", "details.")
    history = _objects(details, "change_history", "details.")
    if published is None and history:
        published = min((d for d in (_date(c, "public_timestamp", "change_history ") for c in history) if d),
                        default=None)
    if published is None:
        published = _date(data, "public_updated_at") or _date(details, "public_timestamp", "details.")
    return published


def parse_content_item(data: dict | bytes | str, source: str = "dhsc") -> Publication:
    """Read one Content API item; raises NotGovukContent for JSON of any other shape or with a field of the
    wrong type (fields are checked in the order they are read, so the first problem is the one named)."""
    data = _content_item(data)
    details = _get(data, "details", dict) or {}
    links = _get(data, "links", dict) or {}
    blocks = _body_blocks(details)
    attachments = _attachments(details)
    parent = next((u for u in map(_link_url, _objects(links, "parent", "links.")) if u), None)
    children = tuple(u for u in map(_link_url, _objects(links, "children", "links.")) if u)
    organisations = tuple(clean(_get(o, "title", str, "organisation ") or "")
                          for o in _objects(links, "organisations", "links."))
    topics = tuple(clean(_get(t, "title", str, "taxon ") or "") for t in _objects(links, "taxons", "links."))
    published = _published(data, details)
    return Publication(
        url=web_url(data["base_path"]),
        source=source,
        title=clean(_get(data, "title", str) or ""),
        published_on=published,
        updated_on=_date(data, "public_updated_at"),
        document_type=_get(data, "document_type", str) or _get(data, "schema_name", str) or "",
        blocks=blocks,
        authors=organisations,
        topics=topics,
        summary=clean(_get(data, "description", str) or ""),
        attachments=tuple(attachments),
        parent_url=parent,
        children=children,
    )
