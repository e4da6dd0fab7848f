"""Small pieces of markup every page of the briefing uses: escaping, dates, badges, provenance links
and the page shell (its Content-Security-Policy, style and navigation).

Every scraped value goes through `e()`; nothing scraped reaches a script, a style or an attribute
other than an escaped data-/href/aria value.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from urllib.parse import urlsplit

from tracker.vocabulary import default_status
from tracker.vocabulary import phrase as label
from tracker.publish.site.assets import SCRIPT, STYLE

# Nothing on a briefing page may reach the network: no scripts, styles, fonts or images from elsewhere.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")


def e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def day(value) -> str:
    """ISO date, or 'undated'."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return "undated"


def long_day(value: date | None) -> str:
    """'16 Aug 2019', as the citations write dates."""
    return f"{value.day} {value:%b %Y}" if value else "undated"


def badge(status: str | None, axis: str | None = None) -> str:
    status = status or default_status(axis)
    return f'<span class="badge s-{e(status)}">{e(label(status))}</span>'


def live_link(url: str | None, text: str | None = None) -> str:
    """A link to the live web, named for where it goes ('original at www.gov.uk')."""
    if not url or not url.startswith(("http://", "https://")):
        return ""
    host = urlsplit(url).hostname or "the web"
    return (f'<a class="live" href="{e(url)}" rel="noopener noreferrer">'
            f'{e(text or "original at " + host)}</a>')


def provenance(url: str | None, cited_as: str, archived: tuple[str, str] | None, root: str = "") -> str:
    """'DHSC — …, 16 Aug 2019 (archived PDF) · original at www.gov.uk': the archived copy named for what
    it is, then the live page; never a bare 'source'."""
    cited = cited_as or "unattributed source"
    if archived:
        href, kind = archived
        first = f'<a class="archived" href="{e(root + href)}"><cite>{e(cited)}</cite> ({e(kind)})</a>'
        live = live_link(url)
        return first + (f" \u00b7 {live}" if live else "")
    if url and url.startswith(("http://", "https://")):
        return f'<a class="live" href="{e(url)}" rel="noopener noreferrer"><cite>{e(cited)}</cite> (live web)</a>'
    return f"<cite>{e(cited)}</cite>"


_CURRENT = ' aria-current="page"'


def page(title: str, body: str, *, root: str = "", script: bool = False, current: str = "") -> str:
    """A whole self-contained page: one inline style, at most the briefing's one inline script."""
    nav_items = (("index.html", "Briefing"), ("summary.html", "Two-page summary"),
                 ("index.html#downloads", "Downloads"))
    nav = "".join(
        f'<li><a href="{e(root + href)}"{_CURRENT if href == current else ""}>{e(text)}</a></li>'
        for href, text in nav_items
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        "<meta name='referrer' content='no-referrer'>"
        f"<title>{e(title)}</title><style>{STYLE}</style></head><body>"
        f"<a class='skip' href='#main'>Skip to content</a>"
        f"<nav aria-label='Briefing pages'><ul>{nav}</ul></nav>"
        f"<main id='main'>{body}</main>"
        + (f"<script>{SCRIPT}</script>" if script else "")
        + "</body></html>"
    )
