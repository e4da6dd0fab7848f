"""How a recommendation's status is shown: the headline badge, the quote it rests on, the other side's
quote beside it, and the rest of the record folded. Used by the briefing's table and the pages."""

from __future__ import annotations

from tracker.publish.site.context import Context
from tracker.publish.site.data import SIDE_NAMES, SIDES, RecommendationView
from tracker.publish.site.figures import quiet_since
from tracker.publish.site.markup import METHODOLOGY, badge, e, provenance


def quote_block(side: str, position, ctx: Context, *, with_badge: bool) -> str:
    lead = f"{badge(position.status, root=ctx.root)} " if with_badge else ""
    return (
        f'<div class="q" data-position="{side}"><span class="who">{lead}{e(SIDE_NAMES[side])}</span>'
        f'<blockquote>\u201c{e(position.quote)}\u201d</blockquote>'
        f'<span class="src">{provenance(position.url, position.cited_as, ctx.archived_link(position.url), ctx.root)}'
        "</span></div>"
    )


def disputed_mark(root: str = "") -> str:
    return (f' <a class="disputed" href="{e(root)}{METHODOLOGY}#disputed" '
            'title="A later statement contradicts the official position">disputed</a>')


def status_cell(rec: RecommendationView, axis: str, ctx: Context) -> str:
    """The headline badge, the quote it rests on, the other side's quote when there is one, and the rest folded."""
    parts = [badge(rec.status[axis], axis, ctx.root)]
    if rec.disputed[axis]:
        parts.append(disputed_mark(ctx.root))
    parts.append(quiet_since(rec, axis, ctx.stale_cutoff))
    basis = rec.basis[axis]
    shown = set()
    for side in ([basis] if basis else []) + [s for s in SIDES if s != basis]:
        position = rec.positions.get((axis, side))
        if position is None:
            continue
        parts.append(quote_block(side, position, ctx, with_badge=side != basis))
        shown.add((position.url, position.quote))
    rest = [st for st in rec.statements.get(axis, []) if (st.url, st.quote) not in shown]
    if rest:
        earlier = "".join(
            f"<li>{badge(st.status, axis, ctx.root)} \u2014 \u201c{e(st.quote)}\u201d "
            f"({provenance(st.url, st.cited_as, ctx.archived_link(st.url), ctx.root)})</li>"
            for st in rest
        )
        parts.append(
            f'<details class="history"><summary>{len(rest)} other statement{"s" if len(rest) > 1 else ""}'
            f"</summary><ul>{earlier}</ul></details>"
        )
    return "".join(parts)
