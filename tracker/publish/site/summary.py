"""site/summary.html: a two-page summary for briefing packs (A4). Page one: the week's headline, the
figures analysts ask first and progress by review. Page two: the comparison chart, what is accepted
but not implemented, review by review, and the week's status changes."""

from __future__ import annotations

from tracker.health import HealthRow
from tracker.publish.digest import Digest
from tracker.publish.site.changes import headline
from tracker.publish.site.context import Context
from tracker.publish.site.data import SiteData
from tracker.publish.site.index import GROUPS, header, progress_table, share_figure
from tracker.publish.site.markup import badge, e, page

_LISTED = 12  # status changes listed on page two; the rest are counted


def summary_page(data: SiteData, digest: Digest | None, unhealthy: list[HealthRow], ctx: Context) -> str:
    recs = data.recommendations
    accepted = [r for r in recs if r.status["response"] in GROUPS["any_accepted"]]
    waiting = [r for r in accepted if r.status["implementation"] in GROUPS["not_implemented"]]
    implemented = [r for r in recs if r.status["implementation"] == "implemented"]
    disputed = [r for r in recs if any(r.disputed.values())]
    figures = [
        ("recommendations tracked", len(recs)),
        ("accepted in any form", len(accepted)),
        ("implemented", len(implemented)),
        ("accepted but not implemented", len(waiting)),
        ("not heard of for 12 months", len(data.stale())),
        ("disputed", len(disputed)),
        ("statements awaiting an analyst", len(data.unresolved)),
    ]
    facts = "".join(f"<li><strong>{n}</strong> {e(text)}</li>" for text, n in figures)
    said = headline(digest, unhealthy)
    first = (
        "<div class='summary'>" + header(data, "NHS leadership reviews: two-page summary")
        + (f"<p class='headline'>{e(said)}</p>" if said else "")
        + f"<ul id='key-figures'>{facts}</ul>"
        + "<h2>Progress by review</h2>" + progress_table(data, digest, table_id="summary-progress")
    )
    rows = []
    for review in data.reviews:
        mine = [r for r in waiting if r.review_id == review.review_id]
        if mine:
            rows.append(f"<li><strong>{e(review.name)}</strong> ({len(mine)}): "
                        + ", ".join(ctx.page_link(r.review_id, r.number, f"#{r.number}") for r in mine) + "</li>")
    changes = [row for row in (digest.rows if digest is not None and not digest.first_run else [])
               if row[0] == "status_change"]
    listed = "".join(
        f"<li>{ctx.page_link(row[1], row[2], f'{ctx.names.get(row[1], row[1])} #{row[2]}')} {e(row[3])}: "
        f"{badge(row[4])} \u2192 {badge(row[5])}</li>"
        for row in changes[:_LISTED]
    )
    more = f"<p>and {len(changes) - _LISTED} more on the briefing.</p>" if len(changes) > _LISTED else ""
    second = (
        "<section class='page-break' aria-labelledby='waiting-title'>"
        + share_figure(data, chart_id="summary-share") +
        "<h2 id='waiting-title'>Accepted but not implemented</h2>"
        f"<ul id='waiting'>{''.join(rows) or '<li>None.</li>'}</ul>"
        "<h2>Status changes this week</h2>"
        + (f"<ul>{listed}</ul>{more}" if changes else "<p>None.</p>")
        + "<p class='meta'>The full briefing: <a href='index.html'>index.html</a>.</p></section></div>"
    )
    return page("NHS leadership reviews: two-page summary", first + second, current="summary.html")
