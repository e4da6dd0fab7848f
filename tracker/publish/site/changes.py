"""What changed: the week's changes (publish/digest.py), per review "since last week", and which sources
the last run could not read."""

from __future__ import annotations

from tracker.health import HealthRow
from tracker.publish.digest import CHANGE_TYPES, Change, Digest, describe
from tracker.publish.site.context import Context
from tracker.publish.site.markup import badge, day, e, provenance


def since_last_week(digest: Digest | None) -> dict[str, str]:
    """review_id -> what the week's changes did to it: '+1 implemented; 2 status changes'."""
    if digest is None:
        return {}
    tally: dict[str, dict[str, int]] = {}
    for c in digest.rows:
        if not c.review_id:
            continue
        t = tally.setdefault(c.review_id, {"implemented": 0, "status_change": 0, "new_evidence": 0,
                                           "new_recommendation": 0})
        if c.change_type == "status_change":
            t["status_change"] += 1
            if c.axis == "implementation":
                t["implemented"] += (c.after == "implemented") - (c.before == "implemented")
        elif c.change_type in t:
            t[c.change_type] += 1
    out = {}
    for review_id, t in tally.items():
        words = []
        if t["implemented"]:
            words.append(f"{t['implemented']:+d} implemented")
        for key, one, many in (("status_change", "status change", "status changes"),
                               ("new_evidence", "new statement", "new statements"),
                               ("new_recommendation", "new recommendation", "new recommendations")):
            if t[key]:
                words.append(f"{t[key]} {one if t[key] == 1 else many}")
        out[review_id] = "; ".join(words)
    return out


def since_last_week_cell(digest: Digest | None, text: str | None) -> str:
    if digest is None:
        return "not known"
    if digest.first_run:
        return "first version"
    return text or "no change"


def _who(review_id: str | None, number, ctx: Context) -> str:
    if not review_id:
        return ""
    name = ctx.names.get(review_id, review_id)
    if number is None:
        return f"<strong>{e(name)}</strong> "
    return f"<strong>{ctx.page_link(review_id, number, f'{name} #{number}')}</strong> "


def _change_items(rows: list[Change], ctx: Context) -> str:
    items = []
    for c in rows:
        who = _who(c.review_id, c.number, ctx)
        text, url = c.title_or_quote, c.source_url
        if c.change_type == "status_change":
            what = (f"{e(c.axis)}: {badge(c.before, c.axis, ctx.root)} \u2192 {badge(c.after, c.axis, ctx.root)} "
                    f"\u2014 \u201c{e(text)}\u201d")
        elif c.change_type in ("new_evidence", "withdrawn_evidence"):
            what = f"{e(c.axis)} {badge(c.after or c.before, c.axis, ctx.root)} \u2014 \u201c{e(text)}\u201d"
        else:
            what = e(text)
        cited = (ctx.citations.get(url)
                 or f"{text if c.change_type.endswith('publication') else 'statement'}, {day(c.published_on)}")
        items.append(
            f"<li>{who}{what} "
            f"<span class='src'>({provenance(url, cited, ctx.archived_link(url), ctx.root)})</span></li>"
        )
    return "".join(items)


def health_section(unhealthy: list[HealthRow], checked: int) -> str:
    """Which sources the last run found unhealthy, and why: a failed source is never a quiet week."""
    if not unhealthy:
        return ""
    items = "".join(
        f"<li data-source='{e(c.source)}'><strong>{e(c.source)}</strong>: "
        f"{e(c.message.removeprefix(c.source + ': '))}</li>"
        for c in unhealthy
    )
    return (
        "<section id='source-health'><h2>Sources that need attention</h2>"
        f"<p>{len(unhealthy)} of {checked} sources could not be read properly in the last run. What they gave in "
        f"earlier runs is still shown, but anything they published since may be missing.</p><ul>{items}</ul></section>"
    )


def incomplete_sentence(unhealthy: list[HealthRow]) -> str:
    names = ", ".join(c.source for c in unhealthy)
    return f"This week's picture is incomplete: {names} {'was' if len(unhealthy) == 1 else 'were'} not read properly."


def headline(digest: Digest | None, unhealthy: list[HealthRow]) -> str:
    text = digest.headline() if digest is not None else ""
    if unhealthy:
        text = f"{incomplete_sentence(unhealthy)} {text}".strip()
    return text


def changes_section(digest: Digest | None, unhealthy: list[HealthRow], ctx: Context) -> str:
    if digest is None:
        if not unhealthy:
            return ""
        return f'<p class="headline" id="changes-headline">{e(headline(digest, unhealthy))}</p>'
    parts = ['<section class="changes" id="changes" aria-labelledby="changes-title">'
             '<h2 id="changes-title">What changed</h2>',
             f'<p class="headline" id="changes-headline">{e(headline(digest, unhealthy))}</p>']
    if digest.rows:
        by_type: dict[str, list[Change]] = {}
        for row in digest.rows:
            by_type.setdefault(row.change_type, []).append(row)
        for kind, title in CHANGE_TYPES.items():
            rows = by_type.get(kind)
            if not rows:
                continue
            # A normal week's few changes are shown; the first version's everything stays folded (also when a later
            # version, having found nothing since, still lists it).
            open_attr = " open" if not digest.from_first and len(rows) <= 25 else ""
            parts.append(
                f'<details{open_attr} data-change="{e(kind)}"><summary>{e(title)} ({len(rows)})</summary>'
                f"<ul>{_change_items(rows, ctx)}</ul></details>"
            )
        if "changes.csv" in ctx.downloads:
            parts.append("<p class='src'>Also as a table: <a href='downloads/changes.csv'>this week's changes "
                         "(CSV)</a>.</p>")
    for days, rows in digest.recent.items():
        counted = describe(rows)
        parts.append(
            f'<details class="recent" id="changes-last-{days}-days" data-days="{days}"><summary>Detected in the last '
            f"{days} days: {e(counted) if counted else 'no changes'}</summary>"
            + (f"<ul>{_change_items(rows, ctx)}</ul>" if rows else "")
            + "</details>"
        )
    parts.append("</section>")
    return "".join(parts)
