"""site/index.html: the briefing. What changed, progress by review (with "since last week" and one chart
comparing every review on one scale), every recommendation with filters on both axes, sorting, URL state
and a link to its own page, what nobody has mentioned for 12 months, the statements awaiting an analyst,
and the downloads."""

from __future__ import annotations

import json

from tracker.publish import charts
from tracker.health import HealthRow
from tracker.publish.digest import Digest
from tracker.publish.site.changes import changes_section, health_section, since_last_week, since_last_week_cell
from tracker.publish.site.context import Context
from tracker.publish.site.data import RecommendationView, SiteData
from tracker.publish.site.downloads import downloads_section
from tracker.publish.site.feeds import WINDOW, feed_names
from tracker.publish.site.figures import GROUP_LABELS, GROUPS, as_at, count, key_figures, official_status, share
from tracker.publish.site.markup import METHODOLOGY, badge, day, e, footer, long_day, page, provenance
from tracker.publish.site.statuses import status_cell
from tracker.vocabulary import IMPLEMENTATION_STATUSES, RESPONSE_STATUSES, phrase

TITLE = "NHS leadership reviews: progress briefing"

def header(data: SiteData, title: str) -> str:
    run_text = f"{data.published_at.strftime('%Y-%m-%d %H:%M')} UTC" if data.published_at else "unknown"
    return (
        f"<header><h1>{e(title)}</h1>{as_at(data)}"
        f"<p class='meta' id='dates'>Data up to <strong id='data-date'>{e(day(data.data_date))}</strong> "
        f"(latest publication in the archive; latest status statement {e(day(data.last_evidence))}"
        f"{', last capture ' + e(day(data.last_capture)) if data.last_capture else ''}) \u00b7 "
        f"this version published on <strong id='run-date'>{e(run_text)}</strong></p>"
        "<p class='meta'>Every status rests on a verbatim quote from a captured source, shown with its publisher "
        "and date and a link to the archived copy and to the original.</p></header>"
    )


def progress_table(data: SiteData, digest: Digest | None, table_id: str = "progress") -> str:
    weekly = since_last_week(digest)
    window = f" (since {digest.since})" if digest is not None and digest.since else ""
    rows = []
    for review in data.reviews:
        p = review.progress
        tracked, implemented = data.figure("tracked", review.review_id), data.figure("implemented", review.review_id)
        mismatch = p["expected_recommendations"] is not None and p["expected_recommendations"] != tracked.n
        stated = p["expected_recommendations"] if p["expected_recommendations"] is not None else "not stated"
        cells = [count(tracked), stated, count(data.figure("accepted", review.review_id)), count(implemented),
                 count(data.figure("in_progress", review.review_id)), count(data.figure("unknown", review.review_id)),
                 share(implemented), share(implemented, "official")]
        rows.append(
            f"<tr data-review='{e(review.review_id)}'><th scope='row'><span class='review-name'>{e(review.name)}</span>"
            f"<div class='src'>{e(review.title)}</div></th>"
            + "".join(f"<td class='n{' warn' if i == 0 and mismatch else ''}'>{c if i != 1 else e(c)}</td>"
                      for i, c in enumerate(cells))
            + f"<td class='since'>{e(since_last_week_cell(digest, weekly.get(review.review_id)))}</td></tr>"
        )
    return (
        f"<div class='scroll' tabindex='0' role='region' aria-label='Progress by review (table)'>"
        f"<table id='{table_id}'><thead><tr><th scope='col'>Review</th><th scope='col'>Found</th>"
        "<th scope='col'>Stated</th><th scope='col'>Accepted in any form</th><th scope='col'>Implemented</th>"
        "<th scope='col'>In progress</th><th scope='col'>Unknown</th><th scope='col'>% implemented</th>"
        "<th scope='col'>% implemented, official positions only</th>"
        f"<th scope='col'>Since last week<span class='src'>{e(window)}</span></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def share_figure(data: SiteData, chart_id: str = "implemented-share") -> str:
    shares = []
    for r in data.reviews:
        implemented = data.figure("implemented", r.review_id)
        shares.append((r.name, implemented.pct, implemented.n, data.figure("tracked", r.review_id).n))
    return (
        f"<figure class='card share' id='{chart_id}-figure'><h3>Implemented, review by review, on one scale</h3>"
        f"{charts.implemented_share_chart(shares, chart_id=chart_id)}"
        "<figcaption class='meta'>Share of each review's recommendations whose latest status is implemented "
        "(0\u2013100%), as the table gives it; the outlined bar is the whole review.</figcaption></figure>"
    )


def _cards(data: SiteData) -> str:
    parts = ["<div class='cards'>"]
    for review in data.reviews:
        p = review.progress
        response = {s: int(p[s]) for s in RESPONSE_STATUSES}
        implementation = {s: int(p[s]) for s in IMPLEMENTATION_STATUSES}
        caption = "Response: " + ", ".join(f"{n} {phrase(s)}" for s, n in response.items() if n) + \
            ". Implementation: " + ", ".join(f"{n} {phrase(s)}" for s, n in implementation.items() if n) + "."
        chart = charts.stacked_status_chart(response, implementation, chart_id=f"chart-{review.review_id}",
                                            name=review.name) if p["recommendations"] else ""
        note = ""
        if p["expected_recommendations"] is not None and p["expected_recommendations"] != p["recommendations"]:
            note = (f"<p class='warn'>Found {e(p['recommendations'])} recommendations; "
                    f"the review states {e(p['expected_recommendations'])}.</p>")
        implemented = data.figure("implemented", review.review_id)
        pct_text = f" \u00b7 {share(implemented)} implemented" if implemented.pct is not None else ""
        parts.append(
            f"<figure class='card' data-review='{e(review.review_id)}'><h3>{e(review.name)}</h3>"
            f"<p>{e(review.title)} \u00b7 <code>{e(review.review_id)}</code> \u00b7 "
            f"{count(data.figure('tracked', review.review_id))} recommendations{pct_text}</p>"
            f"{note}{chart}<figcaption class='meta'>{e(caption)}</figcaption></figure>"
        )
    parts.append("</div>")
    return "".join(parts)


def _options(values: list[HealthRow], counts: dict[str, int]) -> str:
    return "".join(
        f"<option value='{e(v)}' data-label='{e(text)}'>{e(text)} ({counts.get(v, 0)})</option>" for v, text in values
    )


def _filter_counts(recs: list[RecommendationView], attr) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rec in recs:
        value = attr(rec)
        counts[value] = counts.get(value, 0) + 1
        for group, members in GROUPS.items():
            if value in members:
                counts[group] = counts.get(group, 0) + 1
    return counts


# The usual questions, each a figure of briefing_figures with the filter that lists its rows.
PRESETS = ("accepted_not_implemented", "no_response", "implemented")


def _controls(data: SiteData) -> str:
    recs = data.recommendations
    by_review = _filter_counts(recs, lambda r: r.review_id)
    by_response = _filter_counts(recs, lambda r: r.status["response"])
    by_implementation = _filter_counts(recs, lambda r: r.status["implementation"])
    reviews = _options([(r.review_id, r.name) for r in data.reviews], by_review)
    accepted = _options([("any_accepted", GROUP_LABELS["any_accepted"])], by_response)
    response = (_options([(s, phrase(s)) for s in RESPONSE_STATUSES], by_response)
                + f"<optgroup label='Groups'>{accepted}</optgroup>")
    not_implemented = _options([(g, GROUP_LABELS[g]) for g in ("not_implemented", "outstanding")], by_implementation)
    implementation = (_options([(s, phrase(s)) for s in IMPLEMENTATION_STATUSES], by_implementation)
                      + f"<optgroup label='Groups'>{not_implemented}</optgroup>")
    return (
        "<p class='presets'>Ask the usual questions: "
        + " \u00b7 ".join(
            f"<a id='preset-{e(f.figure.replace('_', '-'))}' href='index.html#{e(f.view_filter)}'>{e(f.label)}</a> "
            f"({count(f)})"
            for f in (data.figure(name) for name in PRESETS)) + "</p>"
        "<form class='controls' role='search' aria-label='Filter the recommendations' onsubmit='return false'>"
        "<label for='search'>Search<input id='search' type='search' placeholder='words in the text, quotes, review' "
        "autocomplete='off'></label>"
        f"<label for='filter-review'>Review<select id='filter-review'><option value=''>All reviews</option>{reviews}"
        "</select></label>"
        f"<label for='filter-response'>Response (what was decided)<select id='filter-response'>"
        f"<option value=''>Any response</option>{response}</select></label>"
        f"<label for='filter-implementation'>Implementation (what has happened)<select id='filter-implementation'>"
        f"<option value=''>Any implementation</option>{implementation}</select></label>"
        "<label for='filter-basis'>Statuses<select id='filter-basis'>"
        "<option value=''>Headline (official, or the later independent assessment)</option>"
        "<option value='official'>Official positions only</option></select></label>"
        "<button type='button' id='reset'>Clear</button></form>"
        "<div class='actions'><label for='view-link'>Link to this view</label>"
        "<input id='view-link' type='text' readonly value='index.html'>"
        "<button type='button' id='copy-view'>Copy link</button>"
        "<button type='button' id='download-view'>Download this view (CSV)</button>"
        "<span id='copy-status' role='status'></span></div>"
    )


_RANK = {axis: {s: i for i, s in enumerate(statuses)} for axis, statuses in
         (("response", RESPONSE_STATUSES), ("implementation", IMPLEMENTATION_STATUSES))}


def _said(rec: RecommendationView) -> str:
    """What "download this view" writes for each axis: the statement the status rests on, cited and dated."""
    out = []
    for axis in ("response", "implementation"):
        position = rec.positions.get((axis, rec.basis[axis])) if rec.basis[axis] else None
        cited, quote, on = (position.cited_as, position.quote, position.published_on) if position else ("", "", None)
        out.append(f"data-{axis}-cited-as='{e(cited)}' data-{axis}-quote='{e(quote)}' "
                   f"data-{axis}-said-on='{e(on.isoformat() if on else '')}' ")
    return "".join(out)


def _row(rec: RecommendationView, order: int, ctx: Context) -> str:
    name = ctx.names.get(rec.review_id, rec.review_id)
    theme = f"<div class='src'>{e(rec.theme)}</div>" if rec.theme and rec.theme != "overarching" else ""
    last = rec.last_evidence_on.isoformat() if rec.last_evidence_on else ""
    return (
        f"<tr id='{e(rec.key)}' data-review='{e(rec.review_id)}' data-number='{e(rec.number)}' "
        f"data-response='{e(rec.status['response'])}' data-implementation='{e(rec.status['implementation'])}' "
        f"data-sort-review='{order}' data-sort-number='{e(rec.number)}' "
        f"data-sort-response='{_RANK['response'].get(rec.status['response'], 99)}' "
        f"data-sort-implementation='{_RANK['implementation'].get(rec.status['implementation'], 99)}' "
        f"data-sort-last='{e(last)}' {_said(rec)}data-page='{e(ctx.permalink(rec.page_name))}' "
        f"data-official-response='{e(official_status(rec, 'response'))}' "
        f"data-official-implementation='{e(official_status(rec, 'implementation'))}'>"
        + _td(0, "key", f"<span class='review-name'>{e(name)}</span>") + _td(1, "n", e(rec.number))
        + _td(2, "text", f"{theme}<span class='rec-text'>{e(rec.text)}</span>"
                         f"<div><a class='permalink' href='{e(rec.page_name)}'>Page: {e(rec.key)}</a></div>")
        + _td(3, "response", status_cell(rec, "response", ctx))
        + _td(4, "implementation", status_cell(rec, "implementation", ctx))
        + _td(5, "n last", e(last or "never")) + "</tr>"
    )


# The table's columns: (sort key, '' where it does not sort; header). Below 600 px a row is a card and each
# cell says its column's name (data-label), the statuses first.
_COLUMNS = (("review", "Review"), ("number", "No."), ("", "Recommendation"), ("response", "Response"),
            ("implementation", "Implementation"), ("last", "Last statement"))


def _td(column: int, cls: str, inner: str) -> str:
    return f"<td class='{cls}' data-label='{e(_COLUMNS[column][1])}'>{inner}</td>"


def _th(key: str, text: str) -> str:
    if not key:
        return f"<th scope='col'>{e(text)}</th>"
    return f"<th scope='col'><button type='button' data-sort='{key}'>{e(text)}</button></th>"


def recommendations_section(data: SiteData, ctx: Context) -> str:
    recs = data.recommendations
    rows = "".join(_row(rec, i, ctx) for i, rec in enumerate(recs))
    return (
        "<section id='all' aria-labelledby='all-title'><h2 id='all-title'>Every recommendation</h2>"
        + _controls(data)
        + f"<p id='count' aria-live='polite'>Showing {len(recs)} of {len(recs)} recommendations</p>"
        "<p id='no-match' hidden>No recommendation matches.</p>"
        "<div class='scroll' tabindex='0' role='region' aria-label='Every recommendation (table)'>"
        f"<table id='recommendations' data-groups='{e(json.dumps(GROUPS, sort_keys=True))}' "
        f"data-site-url='{e(ctx.site_url)}'><thead><tr>"
        + "".join(_th(key, text) for key, text in _COLUMNS)
        + f"</tr></thead><tbody>{rows}</tbody></table></div></section>"
    )


def stale_section(data: SiteData, ctx: Context) -> str:
    stale = data.stale()
    when = long_day(data.stale_cutoff) if data.stale_cutoff else "ever"
    parts = ["<section id='stale' aria-labelledby='stale-title'><h2 id='stale-title'>Not heard of for 12 months</h2>",
             f"<p>{count(data.figure('stale'))} of {count(data.figure('tracked'))} recommendations have no statement "
             "published since "
             f"<strong>{e(when)}</strong> (12 months before this version: "
             f"<a href='{e(ctx.root)}{METHODOLOGY}#stale-rule'>the 12-month rule</a>).</p>"]
    if stale:
        items = []
        for review in data.reviews:
            mine = [r for r in stale if r.review_id == review.review_id]
            if not mine:
                continue
            links = ", ".join(
                ctx.page_link(r.review_id, r.number, f"#{r.number}")
                + f" <span class='src'>(last {e(day(r.last_evidence_on)) if r.last_evidence_on else 'never'})</span>"
                for r in mine
            )
            items.append(f"<li><strong>{e(review.name)}</strong> ({len(mine)}): {links}</li>")
        parts.append(f"<ul id='stale-list'>{''.join(items)}</ul>")
    parts.append("</section>")
    return "".join(parts)


def unresolved_section(data: SiteData, ctx: Context) -> str:
    """Statements that name a review and a status the rules could not tie to recommendations: shown, never guessed."""
    rows = data.unresolved
    parts = ["<section id='unresolved' aria-labelledby='unresolved-title'>"
             "<h2 id='unresolved-title'>Statements awaiting an analyst</h2>"]
    if not rows:
        parts.append("<p>None: every status statement the rules read was tied to recommendations.</p></section>")
        return "".join(parts)
    parts.append(
        f"<p>{len(rows)} statement{'s' if len(rows) != 1 else ''} name a review and a status, but the rules could not "
        "tell which recommendations they mean (a quantity without which, a list that matches nothing, a count that "
        "disagrees with the review). They are not counted above; an analyst settles each with a correction row.</p>"
        "<div class='scroll' tabindex='0' role='region' aria-label='Statements awaiting an analyst (table)'>"
        "<table id='unresolved-statements'><thead><tr><th scope='col'>Review</th><th scope='col'>Published</th>"
        "<th scope='col'>Says</th><th scope='col'>Why unresolved</th><th scope='col'>Quote</th></tr></thead><tbody>"
    )
    for u in rows:
        parts.append(
            f"<tr><td>{e(ctx.names.get(u.review_id, u.review_id))}</td><td>{e(day(u.published_on))}</td>"
            f"<td>{e(u.axis)}: {badge(u.status, u.axis, ctx.root)}</td><td>{e(u.why)}</td>"
            f"<td>\u201c{e(u.quote)}\u201d "
            f"({provenance(u.source_url, u.cited_as, ctx.archived_link(u.source_url), ctx.root)})</td></tr>"
        )
    parts.append("</tbody></table></div></section>")
    return "".join(parts)


def print_note(ctx: Context) -> str:
    """Printed, the index is a short briefing: this says where the full table is (the script writes the
    address the page was opened at, when TRACKER_SITE_URL does not give one)."""
    return ("<p class='print-only' id='print-note'>This printout is the briefing's summary: key figures, progress "
            "by review, the charts and what changed. Every recommendation, with its statuses, quotes and sources, "
            f"is in the table on the briefing's page: <strong id='print-url'>{e(ctx.permalink('index.html'))}"
            "</strong>.</p>")


def index_page(data: SiteData, digest: Digest | None, unhealthy: list[HealthRow], checked: int,
               ctx: Context) -> str:
    body = "".join([
        header(data, "NHS leadership reviews: what has been decided and done"),
        print_note(ctx),
        changes_section(digest, unhealthy, ctx),
        health_section(unhealthy, checked),
        "<section id='figures' aria-labelledby='figures-title'><h2 id='figures-title'>Key figures</h2>",
        key_figures(data),
        "</section>",
        "<section id='reviews' aria-labelledby='reviews-title'><h2 id='reviews-title'>Progress by review</h2>",
        progress_table(data, digest),
        share_figure(data),
        "<p id='progress-link'><a href='progress.html'>Progress over time: % accepted and % implemented, "
        "version by version</a></p>",
        _cards(data),
        "</section>",
        recommendations_section(data, ctx),
        stale_section(data, ctx),
        unresolved_section(data, ctx),
        downloads_section(ctx),
        feeds_section(data),
        footer(),
    ])
    feeds = tuple((href, f"NHS leadership reviews: changes ({name})") for href, name in feed_names(data))
    return page(TITLE, body, script=True, current="index.html", feeds=feeds)


def feeds_section(data: SiteData) -> str:
    items = "".join(f"<li><a href='{e(href)}' type='application/atom+xml'>Changes: {e(name)} (Atom feed)</a></li>"
                    for href, name in feed_names(data))
    return ("<section id='feeds' aria-labelledby='feeds-title'><h2 id='feeds-title'>Follow the changes</h2>"
            f"<p>The changes of the last {WINDOW.days // 7} weeks as feeds for a feed reader, one for all reviews "
            "and one per review: "
            "each new status, statement or publication once, when first detected.</p>"
            f"<ul class='downloads'>{items}</ul></section>")
