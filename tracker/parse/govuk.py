"""GOV.UK Content API JSON (publication, html_publication, news_article, ...) into a Publication."""

from __future__ import annotations

import json

from tracker.items import Attachment, Block, Publication
from tracker.parse.html import html_to_blocks
from tracker.parse.text import clean, parse_date

WEB_ROOT = "https://www.gov.uk"


class NotGovukContent(ValueError):
    """JSON that is not a GOV.UK Content API item."""


def web_url(base_path: str) -> str:
    return WEB_ROOT + base_path


def _link_url(link: dict) -> str | None:
    if link.get("web_url"):
        return link["web_url"]
    if link.get("base_path"):
        return web_url(link["base_path"])
    return None


def parse_content_item(data: dict | bytes | str, source: str = "dhsc") -> Publication:
    """Read one Content API item; raises NotGovukContent for JSON of any other shape."""
    if not isinstance(data, dict):
        try:
            data = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise NotGovukContent(f"invalid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("base_path"), str) or "title" not in data:
        raise NotGovukContent("not a GOV.UK content item (no base_path/title)")
    details = data.get("details") or {}
    if not isinstance(details, dict):
        raise NotGovukContent("details is not an object")
    links = data.get("links") or {}
    blocks: list[Block] = []
    body = details.get("body")
    if isinstance(body, list):  # multi-part bodies are sent as [{content_type, content}]
        body = next((p.get("content") for p in body if p.get("content_type") == "text/html"), "")
    if isinstance(body, str) and body.strip():
        blocks = html_to_blocks(body)
    attachments = []
    for att in details.get("attachments") or []:
        if not isinstance(att, dict) or not att.get("url"):
            continue
        url = att["url"]
        if url.startswith("/"):
            url = WEB_ROOT + url
        attachments.append(
            Attachment(url=url, title=clean(att.get("title") or ""), content_type=att.get("content_type") or "")
        )
    parent = next((u for u in map(_link_url, links.get("parent") or []) if u), None)
    children = tuple(u for u in map(_link_url, links.get("children") or []) if u)
    organisations = tuple(
        clean(o.get("title", "")) for o in links.get("organisations") or [] if isinstance(o, dict)
    )
    published = parse_date(data.get("first_published_at") or details.get("first_public_at"))
    if published is None and details.get("change_history"):
        published = min(
            (d for d in (parse_date(c.get("public_timestamp")) for c in details["change_history"]) if d),
            default=None,
        )
    if published is None:
        published = parse_date(data.get("public_updated_at") or details.get("public_timestamp"))
    return Publication(
        url=web_url(data["base_path"]),
        source=source,
        title=clean(data.get("title") or ""),
        published_on=published,
        updated_on=parse_date(data.get("public_updated_at")),
        document_type=data.get("document_type") or data.get("schema_name") or "",
        blocks=blocks,
        authors=organisations,
        topics=tuple(clean(t.get("title", "")) for t in links.get("taxons") or [] if isinstance(t, dict)),
        summary=clean(data.get("description") or ""),
        attachments=tuple(attachments),
        parent_url=parent,
        children=children,
    )
