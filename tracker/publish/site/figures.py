"""The figures and dates every page prints, from one place: briefing_figures (sql/views/070) for the
counts, the version's publication day and the data's date for "as at". Each printed figure carries
data-figure/data-review/data-side, so a test can check every page against the view."""

from __future__ import annotations

from tracker.publish.site.data import Figure, RecommendationView, SiteData
from tracker.publish.site.markup import e, long_day

from tracker.vocabulary import IMPLEMENTATION_STATUSES, default_status, family, outstanding

# Filter values of the briefing table that stand for several statuses (briefing_figures' view_filter uses them).

GROUPS = {
    "any_accepted": list(family("accepted")),
    "not_implemented": [s for s in IMPLEMENTATION_STATUSES if s != "implemented"],
    "outstanding": list(outstanding()),
}
GROUP_LABELS = {"any_accepted": "Accepted in any form", "not_implemented": "Not implemented (any other status)",
                "outstanding": "Not implemented, not superseded"}


def official_status(rec: RecommendationView, axis: str) -> str:
    """The status on the official position alone, as briefing_figures' official_n counts it."""
    position = rec.positions.get((axis, "official"))
    return position.status if position else default_status(axis)


def matches(rec: RecommendationView, view_filter: str, official: bool = False) -> bool:
    """Whether the briefing table shows rec under view_filter ('response=any_accepted&implementation=…'),
    on the headline statuses or (official) the official positions only, as its script does."""
    for part in filter(None, view_filter.split("&")):
        axis, _, value = part.partition("=")
        status = official_status(rec, axis) if official else rec.status.get(axis)
        if status not in GROUPS.get(value, [value]):
            return False
    return True


def count(f: Figure, side: str = "headline") -> str:
    """'9 (2 disputed)', or on the official positions only '7'."""
    n = f.official_n if side == "official" else f.n
    disputed = f" ({f.disputed} disputed)" if side == "headline" and f.disputed and f.figure != "disputed" else ""
    return (f"<span class='figure' data-figure='{e(f.figure)}' data-review='{e(f.review_id or '')}' "
            f"data-side='{side}'>{e(n)}{e(disputed)}</span>")


def share(f: Figure, side: str = "headline") -> str:
    """'25.8%' of the recommendations in scope ('' when there are none)."""
    pct = f.official_pct if side == "official" else f.pct
    if pct is None:
        return ""
    return (f"<span class='figure' data-figure='{e(f.figure)}' data-review='{e(f.review_id or '')}' "
            f"data-side='{side}' data-measure='pct'>{e(pct)}%</span>")


def key_figures(data: SiteData, root: str = "") -> str:
    """The figures for all reviews, each with how many are disputed and the same on official positions only."""
    rows = []
    for f in data.key_figures():
        label = e(f.label)
        if f.view_filter:
            label = f"<a href='{e(root)}index.html#{e(f.view_filter)}'>{label}</a>"
        official = count(f, "official") if f.official_n is not None else "\u2014"
        if f.official_n is not None and f.view_filter:
            official = f"<a href='{e(root)}index.html#{e(f.view_filter)}&amp;basis=official'>{official}</a>"
        rows.append(f"<tr><th scope='row'>{label}</th><td class='n'>{count(f)}</td><td class='n'>{official}</td></tr>")
    return (
        "<div class='scroll' tabindex='0' role='region' aria-label='Key figures (table)'>"
        "<table id='key-figures'><thead><tr><th scope='col'>Recommendations</th>"
        "<th scope='col'>Headline status <span class='src'>(disputed: a later statement contradicts the official "
        "position)</span></th><th scope='col'>Official positions only</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def as_at(data: SiteData) -> str:
    """'As at 7 Dec 2026 (data to 4 Mar 2024)': the version's day and the latest publication it holds."""
    when = long_day(data.published_at.date()) if data.published_at else "an unpublished version"
    return (f"<p class='as-at' id='as-at'>As at <strong>{e(when)}</strong> (data to "
            f"{e(long_day(data.data_date))})</p>")


def quiet_since(rec: RecommendationView, axis: str, cutoff) -> str:
    """'no statement since 1 Mar 2017' when the latest dated statement on the axis is older than the
    stale cut-off (12 months before the version, as stale_recommendations); '' otherwise."""
    dated = [st.published_on for st in rec.statements.get(axis, []) if st.published_on]
    if cutoff is None or not dated or max(dated) >= cutoff:
        return ""
    return f" <span class='quiet' data-axis='{e(axis)}'>no statement since {e(long_day(max(dated)))}</span>"
