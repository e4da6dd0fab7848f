"""site/progress.html: progress over time. For all reviews and each review, one row per kept published version:
% accepted in any form and % implemented (briefing_figures as that version printed them), each drawn as a bar
on a common 0-100 % scale beside its number, and when a figure moved, the day the change log first saw a
status change behind it."""

from __future__ import annotations

from tracker.publish.charts import scale_bar
from tracker.publish.site.context import Context
from tracker.publish.site.data import Figure, SiteData
from tracker.publish.site.history import TRACKED, VersionProgress
from tracker.publish.site.markup import e, footer, long_day, page

PAGE = "progress.html"
_WORDS = {"accepted": "Accepted in any form", "implemented": "Implemented"}


def _stamp(moment) -> str:
    return f"{long_day(moment.date())} {moment:%H:%M} UTC"


def _cell(f: Figure | None, name: str) -> str:
    """'25.0% (2 of 8)' with a bar on a 0-100 % scale; the number is the text, the bar only draws it."""
    if f is None or f.pct is None:
        return "<td class='n'>\u2014</td>"
    return (
        f"<td class='trend'><span class='figure' data-figure='{e(name)}' data-review='{e(f.review_id or '')}' "
        f"data-side='headline' data-measure='pct'>{e(f.pct)}%</span> "
        f"<span class='src'>({e(f.n)})</span>{scale_bar(f.pct, name)}</td>"
    )


def _seen(v: VersionProgress, previous: VersionProgress | None, review_id: str | None, name: str) -> str:
    now = v.figure(name, review_id)
    was = previous.figure(name, review_id) if previous else None
    moved = now is not None and (was.n if was else 0) != now.n
    at = v.first_seen.get((review_id, TRACKED[name])) if moved else None
    if at is None:
        return "<td class='seen'>\u2014</td>"
    return f"<td class='seen'><time datetime='{e(at.isoformat())}'>{e(long_day(at.date()))}</time></td>"


def _table(history: list[VersionProgress], review_id: str | None, name: str, key: str) -> str:
    rows, previous = [], None
    for v in history:
        if v.figure("tracked", review_id) is None:  # the review was not tracked yet
            previous = v
            continue
        rows.append(
            f"<tr data-version='{e(v.version_file)}'><th scope='row'><time datetime='{e(v.published_at.isoformat())}'>"
            f"{e(_stamp(v.published_at))}</time></th>"
            + "".join(_cell(v.figure(f, review_id), f) + _seen(v, previous, review_id, f) for f in TRACKED)
            + "</tr>"
        )
        previous = v
    head = "".join(f"<th scope='col'>{e(_WORDS[f])} (% of recommendations)</th>"
                   f"<th scope='col'>{e(_WORDS[f])}: change first seen</th>" for f in TRACKED)
    return (
        f"<figure class='card trend-card' id='trend-{e(key)}'><h3>{e(name)}</h3>"
        f"<div class='scroll' tabindex='0' role='region' aria-label='{e(name)}: progress by version (table)'>"
        f"<table class='trend' data-review='{e(review_id or '')}'><thead><tr><th scope='col'>Version published</th>"
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></figure>"
    )


def progress_page(data: SiteData, history: list[VersionProgress], ctx: Context) -> str:
    tables = [_table(history, None, "All reviews", "all")]
    tables += [_table(history, r.review_id, r.name, r.review_id) for r in data.reviews]
    body = (
        "<header><h1>Progress over time</h1>" + ctx.as_at
        + f"<p class='meta'>{len(history)} published version{'s' if len(history) != 1 else ''} kept (the newest "
        "few, and one a week for two years). Each row is a version's own figures, as it printed them: the share "
        "of a review's recommendations accepted in any form and implemented, on one 0\u2013100% scale (the "
        "bar), with how many in brackets. Where a figure moved since the row before, <em>change first seen</em> "
        "is the day the tracker first detected a status change behind it (it may have been detected in a "
        "version no longer kept).</p></header>"
        "<div class='legend' aria-hidden='true'><span class='swatch s-accepted'></span> accepted in any form "
        "<span class='swatch s-implemented'></span> implemented</div>"
        + "".join(tables) + footer(ctx.root)
    )
    return page("Progress over time \u2014 NHS leadership reviews", body, current=PAGE)
