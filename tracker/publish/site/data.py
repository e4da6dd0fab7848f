"""What the briefing shows, read from a published warehouse into small records (one query per table).

Everything here depends only on the warehouse, never on the clock: "not heard of for 12 months"
applies the stale_recommendations rule on the day the version was published, so the same warehouse
gives the same pages whenever they are written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

from tracker.speakers import cite
from tracker.publish.site.names import short_name
from tracker.vocabulary import AXES
from tracker.warehouse.db import warehouse_info
from tracker.warehouse.rows import select

SIDES = ("official", "independent")
SIDE_NAMES = {"official": "Official position", "independent": "Independent assessment"}


@dataclass(frozen=True)
class ReviewView:
    review_id: str
    title: str
    name: str  # "Kark review (2019)"
    published_on: date | None
    url: str | None
    progress: dict  # the review_progress row


@dataclass(frozen=True)
class Position:
    """One side of a status: the official position or the independent assessment, with its quote."""

    status: str
    quote: str
    published_on: date | None
    url: str
    cited_as: str


@dataclass(frozen=True)
class Statement:
    status: str
    quote: str
    url: str
    published_on: date | None
    cited_as: str
    publisher: str
    speaker: str


@dataclass(frozen=True)
class Change:
    """One row of status_changes: the headline status on one axis changed on a date."""

    axis: str
    before: str | None
    after: str
    changed_on: date | None
    url: str
    quote: str
    cited_as: str


@dataclass(frozen=True)
class Disagreement:
    axis: str
    official_status: str
    official_cited_as: str
    other_status: str
    other_published_on: date | None
    other_cited_as: str
    other_quote: str
    other_url: str


@dataclass(frozen=True)
class UnresolvedView:
    """A statement awaiting an analyst (unresolved_statements)."""

    review_id: str
    published_on: date | None
    axis: str
    status: str
    why: str
    quote: str
    source_url: str
    cited_as: str | None


@dataclass(frozen=True)
class Figure:
    """One row of briefing_figures: a figure the pages print, one definition each (sql/views/070)."""

    review_id: str | None  # None: all reviews
    figure: str
    label: str
    n: int
    disputed: int | None  # how many of n rest on a disputed status
    official_n: int | None  # the same figure on the official positions only
    pct: float | None
    official_pct: float | None
    view_filter: str  # the briefing table's filter listing these rows ('' if none)


@dataclass
class RecommendationView:
    review_id: str
    number: int
    theme: str | None
    text: str
    page: int | None
    source_url: str | None
    status: dict[str, str]  # axis -> headline status
    basis: dict[str, str | None]
    disputed: dict[str, bool]
    positions: dict[tuple[str, str], Position | None]  # (axis, side)
    last_evidence_on: date | None
    statements: dict[str, list[Statement]] = field(default_factory=dict)  # axis -> newest first
    changes: list[Change] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.review_id}-{self.number}"

    @property
    def page_name(self) -> str:
        return f"recommendations/{self.key}.html"


@dataclass
class SiteData:
    run_id: str | None
    published_at: datetime | None
    data_date: date | None
    last_capture: datetime | None
    last_evidence: date | None
    reviews: list[ReviewView]
    recommendations: list[RecommendationView]
    stale_cutoff: date | None
    citations: dict[str, str]  # publication url -> "Publisher — Title, 16 Aug 2019"
    unresolved: list[UnresolvedView]
    figures: list[Figure] = field(default_factory=list)

    def figure(self, name: str, review_id: str | None = None) -> Figure:
        """A figure of briefing_figures (for all reviews, or one); a review with no recommendation has none: 0."""
        found = next((f for f in self.figures if f.figure == name and f.review_id == review_id), None)
        return found or Figure(review_id, name, name, 0, 0, 0, None, None, "")

    def key_figures(self) -> list[Figure]:
        return [f for f in self.figures if f.review_id is None]

    def review(self, review_id: str) -> ReviewView | None:
        return next((r for r in self.reviews if r.review_id == review_id), None)

    def stale(self) -> list[RecommendationView]:
        """No statement published in the 12 months before the version (or none at all): stale_recommendations'
        rule, applied on the publication day so the page does not change with the calendar."""
        if self.stale_cutoff is None:
            return [r for r in self.recommendations if r.last_evidence_on is None]
        return [r for r in self.recommendations if r.last_evidence_on is None or r.last_evidence_on < self.stale_cutoff]


_POSITION_COLUMNS = ", ".join(
    f"s.{side}_{axis}_{f}" for axis in AXES for side in SIDES
    for f in ("status", "quote", "published_on", "source_url", "cited_as")
)


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}


def _reviews(con: duckdb.DuckDBPyConnection) -> list[ReviewView]:
    cursor = con.execute("SELECT * FROM review_progress")
    names = [d[0] for d in cursor.description]
    progress = [dict(zip(names, row)) for row in cursor.fetchall()]
    short = "short_name" if "short_name" in _columns(con, "reviews") else "NULL"
    rows = con.execute(f"SELECT review_id, published_on, url, {short} FROM reviews").fetchall()
    meta = {rid: rest for rid, *rest in rows}
    out = []
    for p in progress:
        published_on, url, given = meta.get(p["review_id"], (None, None, None))
        out.append(ReviewView(p["review_id"], p["title"], short_name(p["review_id"], p["title"], published_on, given),
                          published_on, url, p))
    return out


def _positions(values: tuple) -> dict[tuple[str, str], Position | None]:
    out = {}
    it = iter(values)
    for axis in AXES:
        for side in SIDES:
            status, quote, published, url, cited_as = (next(it) for _ in range(5))
            out[(axis, side)] = Position(status, quote, published, url, cited_as or "") if status else None
    return out


def _recommendations(con: duckdb.DuckDBPyConnection, order: list[str]) -> list[RecommendationView]:
    rows = con.execute(
        f"""SELECT s.review_id, s.number, r.theme, s.text, r.page, r.source_url, s.response_status,
                  s.implementation_status, s.response_basis, s.implementation_basis, s.response_disputed,
                  s.implementation_disputed, s.last_evidence_on, {_POSITION_COLUMNS}
           FROM recommendation_status AS s
           JOIN recommendations AS r ON r.review_id = s.review_id AND r.number = s.number
           ORDER BY s.review_id, s.number"""
    ).fetchall()
    recs = [
        RecommendationView(
            review_id=rid, number=number, theme=theme, text=text, page=page, source_url=source,
            status={"response": response, "implementation": implementation},
            basis={"response": rb, "implementation": ib},
            disputed={"response": bool(rd), "implementation": bool(idp)},
            positions=_positions(tuple(rest)), last_evidence_on=last,
        )
        for rid, number, theme, text, page, source, response, implementation, rb, ib, rd, idp, last, *rest in rows
    ]
    recs.sort(key=lambda r: (order.index(r.review_id) if r.review_id in order else len(order), r.number))
    return recs


def _attach_history(con: duckdb.DuckDBPyConnection, recs: list[RecommendationView]) -> None:
    by_key = {(r.review_id, r.number): r for r in recs}
    for rid, number, axis, status, quote, url, published, cited_as, publisher, speaker in con.execute(
        """SELECT review_id, number, axis, status, quote, source_url, published_on, cited_as, publisher, speaker
           FROM ranked_evidence
           ORDER BY review_id, number, axis, recency"""
    ).fetchall():
        rec = by_key.get((rid, number))
        if rec is not None:
            rec.statements.setdefault(axis, []).append(
                Statement(status, quote, url, published, cited_as or "", publisher or "", speaker or ""))
    for rid, number, axis, before, after, changed_on, url, quote, cited_as in con.execute(
        """SELECT review_id, number, axis, status_before, status_after, changed_on, source_url, quote, cited_as
           FROM status_changes ORDER BY review_id, number, changed_on NULLS FIRST, axis, source_url"""
    ).fetchall():
        rec = by_key.get((rid, number))
        if rec is not None:
            rec.changes.append(Change(axis, before, after, changed_on, url, quote, cited_as or ""))
    for rid, number, axis, official, official_cited, other, other_on, other_cited, quote, url in con.execute(
        """SELECT review_id, number, axis, official_status, official_cited_as, other_status, other_published_on,
                  other_cited_as, other_quote, other_source_url
           FROM status_disagreements
           ORDER BY review_id, number, axis, other_published_on, other_source_url, other_quote"""
    ).fetchall():
        rec = by_key.get((rid, number))
        if rec is not None:
            rec.disagreements.append(Disagreement(axis, official, official_cited or "", other, other_on,
                                                  other_cited or "", quote, url))


def load_site_data(con: duckdb.DuckDBPyConnection) -> SiteData:
    info = warehouse_info(con)
    run_id, published_at = (info.run_id, info.published_at) if info else (None, None)
    data_date, last_capture = con.execute("SELECT max(published_on), max(fetched_at) FROM publications").fetchone()
    last_evidence = con.execute("SELECT max(published_on) FROM status_evidence").fetchone()[0]
    reviews = _reviews(con)
    recs = _recommendations(con, [r.review_id for r in reviews])
    _attach_history(con, recs)
    cutoff = None
    if published_at is not None:
        cutoff = con.execute("SELECT stale_cutoff(?)", [published_at]).fetchone()[0]
    citations = {}
    for url, publisher, title, published_on in con.execute(
        "SELECT url, publisher, title, published_on FROM publications ORDER BY url"
    ).fetchall():
        citations[url] = cite(publisher, title, published_on)
    unresolved = select(con, UnresolvedView, "unresolved_statements",
                        "ORDER BY published_on DESC NULLS LAST, review_id, source_url, quote")
    # as on the version's publication day, like the stale cut-off above (never the clock)
    figures = select(con, Figure, "briefing_figures_on(CAST(? AS DATE))", "", [published_at])
    return SiteData(run_id, published_at, data_date, last_capture, last_evidence, reviews, recs, cutoff,
                    citations, unresolved, figures)
