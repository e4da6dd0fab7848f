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


# Where each status's meaning is written (methodology.html, one anchor per status).
METHODOLOGY = "methodology.html"


def status_anchor(status: str) -> str:
    return f"status-{status}"


def badge(status: str | None, axis: str | None = None, root: str = "") -> str:
    """A status, linked to its meaning on the methodology page (root: from the page being written to the site's)."""
    status = status or default_status(axis)
    href = f"{root}{METHODOLOGY}#{status_anchor(status)}"
    return f'<a class="badge s-{e(status)}" href="{e(href)}">{e(label(status))}</a>'


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


def footer(root: str = "") -> str:
    """What the statuses mean and whose word settles them, in words; the methodology page says it in full."""
    return (
        "<footer><p>Response: what was decided; implementation: what has happened. The response is the official "
        "position (the owning body's or a minister's own words, else a report of them), or the latest independent "
        "assessment where no official statement exists; the implementation status is whichever of the two was "
        "published later. Each quote names its publisher and date; <em>disputed</em> marks a status that a later "
        "statement by someone else contradicts. With no statement: no response / unknown. "
        f"<a href='{e(root)}{METHODOLOGY}'>How the tracker finds statements, whose word counts and how accurate it "
        "is</a>.</p></footer>"
    )


_CURRENT = ' aria-current="page"'


def page(title: str, body: str, *, root: str = "", script: bool = False, current: str = "",
         feeds: tuple[tuple[str, str], ...] = ()) -> str:
    """A whole self-contained page: one inline style, at most the briefing's one inline script; `feeds` (href,
    title) are announced to feed readers (a link a reader follows, never a load)."""
    nav_items = (("index.html", "Briefing"), ("summary.html", "Two-page summary"),
                 ("progress.html", "Progress over time"), ("index.html#downloads", "Downloads"),
                 (METHODOLOGY, "How to read it (methodology)"))
    nav = "".join(
        f'<li><a href="{e(root + href)}"{_CURRENT if href == current else ""}>{e(text)}</a></li>'
        for href, text in nav_items
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        "<meta name='referrer' content='no-referrer'>"
        f"<title>{e(title)}</title>"
        + "".join(f"<link rel='alternate' type='application/atom+xml' title='{e(t)}' href='{e(root + h)}'>"
                  for h, t in feeds)
        + f"<style>{STYLE}</style></head><body>"
        f"<a class='skip' href='#main'>Skip to content</a>"
        f"<nav aria-label='Briefing pages'><ul>{nav}</ul></nav>"
        f"<main id='main'>{body}</main>"
        + (f"<script>{SCRIPT}</script>" if script else "")
        + "</body></html>"
    )
