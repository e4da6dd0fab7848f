"""The archived copies a briefing links to (site/captures/), made from captures read from the WARC archive.

Each is named by the SHA-256 of the archived bytes, as in the WARC archive. PDFs are the captured
bytes; HTML pages are made inert (publish/captures.py: scripts removed, a policy that blocks every
load). A GOV.UK Content API capture is JSON, which nobody can read in a browser: beside the captured
JSON (<sha>.json) the briefing writes a readable page (<sha>.html) with the title, dates, publisher,
summary, body and attachments, made inert the same way, and the quotes link to that.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path

from tracker.publish.captures import inert_html, safe_copy

_EXTENSIONS = {"application/pdf": "pdf", "application/json": "json", "text/html": "html",
               "application/xhtml+xml": "html", "text/plain": "txt"}
_KINDS = {"pdf": "archived PDF", "html": "archived page", "json": "archived GOV.UK page", "txt": "archived text"}


@dataclass(frozen=True)
class Archived:
    """One capture's archived copy: the files to write, and the one a link opens."""

    files: dict[str, bytes]  # name inside site/captures/ -> bytes
    opens: str  # the file a quote links to
    kind: str  # what the link says it opens: "archived PDF", "archived page", ...


def archived_copy(body: bytes, content_type: str | None, url: str) -> Archived:
    sha = hashlib.sha256(body).hexdigest()
    mime = (content_type or "").split(";")[0].strip().lower()
    ext = _EXTENSIONS.get(mime, "bin")
    name = f"{sha}.{ext}"
    files = {name: safe_copy(body, content_type or "")}
    if ext == "json":
        readable = govuk_page(body, url, name)
        if readable is not None:
            files[f"{sha}.html"] = readable
            return Archived(files, f"{sha}.html", _KINDS["json"])
    return Archived(files, name, _KINDS.get(ext, "archived copy"))


def _text(value) -> str:
    return html.escape(value if isinstance(value, str) else "", quote=True)


def govuk_page(body: bytes, url: str, raw_name: str) -> bytes | None:
    """A GOV.UK Content API item as a page a person can read; None when the JSON is not one."""
    try:
        item = json.loads(body)
    except ValueError:
        return None
    if not isinstance(item, dict) or not isinstance(item.get("title"), str):
        return None
    details = item.get("details") if isinstance(item.get("details"), dict) else {}
    links = item.get("links") if isinstance(item.get("links"), dict) else {}
    orgs = [o.get("title") for o in links.get("organisations", [])
            if isinstance(o, dict) and isinstance(o.get("title"), str)]
    facts = [
        ("Published by", ", ".join(orgs)),
        ("Document type", (item.get("document_type") or "").replace("_", " ")
         if isinstance(item.get("document_type"), str) else ""),
        ("First published", item.get("first_published_at")),
        ("Last updated", item.get("public_updated_at")),
    ]
    rows = "".join(f"<tr><th scope='row'>{_text(k)}</th><td>{_text(v)}</td></tr>"
                   for k, v in facts if isinstance(v, str) and v)
    body_html = details.get("body")
    if isinstance(body_html, list):  # multi-part bodies: [{content_type, content}]
        body_html = next((p.get("content") for p in body_html
                          if isinstance(p, dict) and p.get("content_type") == "text/html"), "")
    attachments = ([a for a in details.get("attachments", []) if isinstance(a, dict)]
                   if isinstance(details.get("attachments"), list) else [])
    att_items = "".join(
        f"<li>{_text(a.get('title'))}"
        f"{' (' + _text(a.get('content_type')) + ')' if isinstance(a.get('content_type'), str) else ''}</li>"
        for a in attachments
    )
    withdrawn = item.get("withdrawn_notice") if isinstance(item.get("withdrawn_notice"), dict) else {}
    notice = (f"<p><strong>Withdrawn:</strong> {_text(withdrawn.get('explanation'))}</p>"
              if isinstance(withdrawn.get("explanation"), str) and withdrawn.get("explanation") else "")
    page = (
        "<html lang='en'><head><title>" + _text(item["title"]) + " (archived GOV.UK page)</title>"
        "<style>body{font-family:system-ui,Arial,sans-serif;max-width:46rem;margin:1rem auto;padding:0 1rem;"
        "line-height:1.5;color:#212b32}table{border-collapse:collapse}"
        "th,td{text-align:left;padding:.2rem .6rem .2rem 0;"
        "vertical-align:top}.note{background:#f0f4f5;padding:.5rem .8rem;font-size:.9rem}</style></head><body>"
        "<p class='note'>Archived copy of a GOV.UK page, as captured from the GOV.UK Content API and shown here as a "
        f"readable page. Original address: {_text(url)}. The captured JSON is beside this file: "
        f"<a href='{_text(raw_name)}'>{_text(raw_name)}</a>.</p>"
        f"<h1>{_text(item['title'])}</h1>{notice}"
        + (f"<p><em>{_text(item.get('description'))}</em></p>" if isinstance(item.get("description"), str) else "")
        + f"<table>{rows}</table>"
        + (f"<div class='body'>{body_html}</div>" if isinstance(body_html, str) else "")
        + (f"<h2>Attachments</h2><ul>{att_items}</ul>" if att_items else "")
        + "</body></html>"
    )
    # The body is GOV.UK's own HTML: made inert exactly as an archived HTML page is.
    return inert_html(page.encode("utf-8"), "text/html; charset=utf-8")


def prune(folder: Path, keep: set[str]) -> None:
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.is_file() and path.name not in keep:
            path.unlink(missing_ok=True)
