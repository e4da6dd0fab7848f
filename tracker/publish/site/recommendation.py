"""site/recommendations/<review>-<number>.html: one recommendation on a page of its own — its text and
where it sits in the review, where it stands on both axes (the official position and the independent
assessment, and any disagreement), its dated history as a timeline, and every statement with its
publisher and archived copy."""

from __future__ import annotations

from tracker.vocabulary import phrase as label
from tracker.publish.site.context import Context
from tracker.publish.site.data import SIDE_NAMES, SIDES, RecommendationView, ReviewView
from tracker.publish.site.markup import badge, day, e, footer, long_day, page, provenance
from tracker.publish.site.figures import quiet_since
from tracker.publish.site.report import report_link
from tracker.publish.site.statuses import disputed_mark
from tracker.vocabulary import AXES

AXIS_WORDS = {"response": "Response: what was decided", "implementation": "Implementation: what has happened"}


def _where(rec: RecommendationView, review: ReviewView | None, ctx: Context) -> str:
    bits = [f"<strong>{e(review.name)}</strong>: {e(review.title)}" if review else e(rec.review_id)]
    if rec.theme and rec.theme != "overarching":
        bits.append(f"under \u201c{e(rec.theme)}\u201d")
    if rec.page:
        bits.append(f"page {e(rec.page)} of the review")
    where = ", ".join(bits)
    source = ""
    if rec.source_url:
        cited = ctx.citations.get(rec.source_url) or (review.title if review else "the review")
        read_in = provenance(rec.source_url, cited, ctx.archived_link(rec.source_url), ctx.root)
        source = f"<p class='src'>Read in: {read_in}</p>"
    return f"<p class='meta'>{where}.</p>{source}"


def _position(rec: RecommendationView, axis: str, side: str, ctx: Context) -> str:
    position = rec.positions.get((axis, side))
    settles = rec.basis[axis] == side
    heading = f"<h4>{e(SIDE_NAMES[side])}{' (settles the status)' if settles else ''}</h4>"
    if position is None:
        return f"<div class='position' data-position='{side}'>{heading}<p>No statement.</p></div>"
    return (
        f"<div class='position' data-position='{side}'>{heading}<p>{badge(position.status, axis, ctx.root)} "
        f"since {e(long_day(position.published_on))}</p>"
        f"<blockquote>\u201c{e(position.quote)}\u201d</blockquote>"
        f"<p class='src'>"
        f"{provenance(position.url, position.cited_as, ctx.archived_link(position.url), ctx.root)}</p>"
        + report_link(ctx, rec.review_id, rec.number, axis, f"the {SIDE_NAMES[side].lower()}", position.quote,
                      position.url, position.published_on)
        + "</div>"
    )


def _report_headline(rec: RecommendationView, axis: str, ctx: Context) -> str:
    """The status shown, with the statement it rests on (none: the analyst supplies quote and source)."""
    position = rec.positions.get((axis, rec.basis[axis])) if rec.basis[axis] else None
    if position is None:
        return report_link(ctx, rec.review_id, rec.number, axis, f"the {axis} status")
    return report_link(ctx, rec.review_id, rec.number, axis, f"the {axis} status", position.quote, position.url,
                       position.published_on)


def _standing(rec: RecommendationView, ctx: Context) -> str:
    parts = ["<section id='standing' aria-labelledby='standing-title'><h2 id='standing-title'>Where it stands</h2>"]
    for axis in AXES:
        parts.append(
            f"<h3 id='now-{axis}'>{e(AXIS_WORDS[axis])}: {badge(rec.status[axis], axis, ctx.root)}"
            f"{disputed_mark(ctx.root) if rec.disputed[axis] else ''}{quiet_since(rec, axis, ctx.stale_cutoff)}</h3>"
            + _report_headline(rec, axis, ctx) + "<div class='positions'>"
            + "".join(_position(rec, axis, side, ctx) for side in SIDES) + "</div>"
        )
    if rec.disagreements:
        items = "".join(
            f"<li>{e(d.axis)}: {e(d.other_cited_as)} says {badge(d.other_status, d.axis, ctx.root)} where the official "
            f"position ({e(d.official_cited_as)}) says {badge(d.official_status, d.axis, ctx.root)} \u2014 "
            f"\u201c{e(d.other_quote)}\u201d "
            f"({provenance(d.other_url, d.other_cited_as, ctx.archived_link(d.other_url), ctx.root)})</li>"
            for d in rec.disagreements
        )
        parts.append(f"<h3 id='disagreements'>Disagreements</h3><ul id='disagreement-list'>{items}</ul>")
    parts.append("</section>")
    return "".join(parts)


def _timeline(rec: RecommendationView, ctx: Context) -> str:
    parts = ["<section id='history' aria-labelledby='history-title'><h2 id='history-title'>History</h2>"]
    if not rec.changes:
        parts.append("<p>No statement about this recommendation yet.</p></section>")
        return "".join(parts)
    parts.append("<p class='meta'>Each time its status changed on either axis, oldest first.</p><ol class='timeline'>")
    for c in rec.changes:
        was = f"{badge(c.before, c.axis, ctx.root)} \u2192 " if c.before else ""
        stamp = f"<time datetime='{e(c.changed_on.isoformat())}'>{e(long_day(c.changed_on))}</time>" if c.changed_on \
            else "<time>undated</time>"
        parts.append(
            f"<li data-axis='{e(c.axis)}'>{stamp} \u00b7 {e(c.axis)}: {was}{badge(c.after, c.axis, ctx.root)}"
            f"<blockquote>\u201c{e(c.quote)}\u201d</blockquote>"
            f"<span class='src'>{provenance(c.url, c.cited_as, ctx.archived_link(c.url), ctx.root)}</span></li>"
        )
    parts.append("</ol></section>")
    return "".join(parts)


def _statements(rec: RecommendationView, ctx: Context) -> str:
    parts = ["<section id='statements' aria-labelledby='statements-title'>"
             "<h2 id='statements-title'>Every statement</h2>"]
    for axis in AXES:
        said = rec.statements.get(axis, [])
        parts.append(f"<h3>{e(AXIS_WORDS[axis])} ({len(said)})</h3>")
        if not said:
            parts.append("<p>None.</p>")
            continue
        items = "".join(
            f"<li class='q'><span class='who'>{e(st.publisher or 'unknown publisher')} \u00b7 "
            f"{e(day(st.published_on))} \u00b7 {badge(st.status, axis, ctx.root)}</span>"
            f"<blockquote>\u201c{e(st.quote)}\u201d</blockquote>"
            f"<span class='src'>{provenance(st.url, st.cited_as, ctx.archived_link(st.url), ctx.root)}</span>"
            + report_link(ctx, rec.review_id, rec.number, axis, "this statement", st.quote, st.url, st.published_on)
            + "</li>"
            for st in said
        )
        parts.append(f"<ul class='statements' data-axis='{axis}'>{items}</ul>")
    parts.append("</section>")
    return "".join(parts)


def recommendation_page(rec: RecommendationView, review: ReviewView | None, ctx: Context) -> str:
    ctx = ctx.at("../")
    name = review.name if review else rec.review_id
    title = f"{name}, recommendation {rec.number}"
    body = (
        f"<header><h1>{e(title)}</h1>{ctx.as_at}{_where(rec, review, ctx)}"
        f"<p class='meta'>Permalink: <a id='permalink' href='{e(ctx.permalink(rec.page_name))}'>"
        f"{e(ctx.permalink(rec.page_name) if ctx.site_url else rec.page_name)}</a></p></header>"
        f"<blockquote class='rec' id='text'>{e(rec.text)}</blockquote>"
        f"<p class='meta'>Response {e(label(rec.status['response']))}; implementation "
        f"{e(label(rec.status['implementation']))}. <a href='../index.html#{e(rec.key)}'>Back to the briefing</a></p>"
        + _standing(rec, ctx) + _timeline(rec, ctx) + _statements(rec, ctx) + footer(ctx.root)
    )
    return page(f"{title} \u2014 NHS leadership reviews", body, root="../")
