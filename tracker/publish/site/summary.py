"""site/summary.html: a two-page summary for briefing packs (A4). Page one: the week's headline, the
figures analysts ask first and progress by review. Page two: the comparison chart, what is accepted
but not implemented, review by review, and the week's status changes."""

from __future__ import annotations

from tracker.health import HealthRow
from tracker.publish.digest import Digest
from tracker.publish.site.changes import headline
from tracker.publish.site.context import Context
from tracker.publish.site.data import SiteData
from tracker.publish.site.figures import count, key_figures, matches
from tracker.publish.site.index import header, progress_table, share_figure
from tracker.publish.site.markup import badge, e, page

_LISTED = 12  # status changes listed on page two; the rest are counted


def summary_page(data: SiteData, digest: Digest | None, unhealthy: list[HealthRow], ctx: Context) -> str:
    waiting_figure = data.figure("accepted_not_implemented")
    waiting = [r for r in data.recommendations if matches(r, waiting_figure.view_filter)]
    said = headline(digest, unhealthy)
    first = (
        "<div class='summary'>" + header(data, "NHS leadership reviews: two-page summary")
        + (f"<p class='headline'>{e(said)}</p>" if said else "")
        + "<h2>Key figures</h2>" + key_figures(data)
        + "<h2>Progress by review</h2>" + progress_table(data, digest, table_id="summary-progress")
    )
    rows = []
    for review in data.reviews:
        mine = [r for r in waiting if r.review_id == review.review_id]
        if mine:
            rows.append(f"<li><strong>{e(review.name)}</strong> "
                        f"({count(data.figure('accepted_not_implemented', review.review_id))}): "
                        + ", ".join(ctx.page_link(r.review_id, r.number, f"#{r.number}") for r in mine) + "</li>")
    changes = [row for row in (digest.rows if digest is not None else []) if row.change_type == "status_change"]
    # the same rows the briefing's "what changed" counts; a first version's are everything it recorded
    changes_title = ("Status changes recorded in this first version" if digest is not None and digest.first_run
                     else "Status changes this week")
    listed = "".join(
        f"<li>{ctx.page_link(c.review_id, c.number, f'{ctx.names.get(c.review_id, c.review_id)} #{c.number}')} "
        f"{e(c.axis)}: {badge(c.before, c.axis, ctx.root)} \u2192 {badge(c.after, c.axis, ctx.root)}</li>"
        for c in changes[:_LISTED]
    )
    more = f"<p>and {len(changes) - _LISTED} more on the briefing.</p>" if len(changes) > _LISTED else ""
    second = (
        "<section class='page-break' aria-labelledby='waiting-title'>"
        + share_figure(data, chart_id="summary-share") +
        f"<h2 id='waiting-title'>{e(waiting_figure.label.capitalize())}: {count(waiting_figure)}</h2>"
        f"<ul id='waiting'>{''.join(rows) or '<li>None.</li>'}</ul>"
        f"<h2 id='summary-changes'>{e(changes_title)} ({len(changes)})</h2>"
        + (f"<ul>{listed}</ul>{more}" if changes else "<p>None.</p>")
        + "<p class='meta'>The full briefing: <a href='index.html'>index.html</a>.</p></section></div>"
    )
    return page("NHS leadership reviews: two-page summary", first + second, current="summary.html")
