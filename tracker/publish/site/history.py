"""Progress over time: % accepted and % implemented per review in every published version still kept
(published/: the newest few and one a week for two years), each read from that version's own
briefing_figures_on(its publication day), so a version's figures are the ones it printed; and, for each
figure that moved since the kept version before, when the change log first saw a status change behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from tracker.publish.site.data import Figure
from tracker.warehouse.changelog import VERSION_NAME
from tracker.warehouse.db import DatabaseUnavailable, attach_read_only, warehouse_info
from tracker.warehouse.rows import select

# The figures a version's row shows, and the axis whose status changes move each.
TRACKED = {"accepted": "response", "implemented": "implementation"}


@dataclass(frozen=True)
class VersionProgress:
    """One kept version's figures: (figure, review_id or None for all reviews) -> its briefing_figures row."""

    version_file: str
    published_at: datetime
    figures: dict[tuple[str, str | None], Figure]
    # (review_id or None, axis) -> when the change log first saw a status change since the kept version before
    first_seen: dict[tuple[str | None, str], datetime] = field(default_factory=dict)

    def figure(self, name: str, review_id: str | None) -> Figure | None:
        return self.figures.get((name, review_id))


def _figures(con: duckdb.DuckDBPyConnection, published_at: datetime) -> dict[tuple[str, str | None], Figure] | None:
    """briefing_figures_on(the version's day) as that version defines it; None for a version without it."""
    wanted = ("tracked", *TRACKED)
    try:
        rows = select(con, Figure, "briefing_figures_on(CAST(? AS DATE))", "WHERE list_contains(?, figure)",
                      [published_at, list(wanted)])
    except duckdb.Error:
        return None
    return {(f.figure, f.review_id): f for f in rows}


def _kept(published_dir: Path | None, current: str) -> list[Path]:
    if published_dir is None or not published_dir.is_dir():
        return []
    return sorted(p for p in published_dir.glob("tracker-*.duckdb") if VERSION_NAME.match(p.name) and p.name < current)


def _older(path: Path) -> VersionProgress | None:
    try:
        con = attach_read_only(path)
    except (duckdb.Error, DatabaseUnavailable):  # a file a failed copy left, or one being written: not a version
        return None
    try:
        info = warehouse_info(con)
        figures = _figures(con, info.published_at) if info else None
    finally:
        con.close()
    return VersionProgress(path.name, info.published_at, figures) if figures else None


def _first_seen(con: duckdb.DuckDBPyConnection, after: str | None, upto: str) -> dict[tuple[str | None, str], datetime]:
    """When the change log first saw a status change per review and axis (and over all reviews), in the versions
    after `after` (None: from the first) up to `upto`."""
    try:
        rows = con.execute(
            """SELECT review_id, axis, min(detected_at) FROM change_log
               WHERE change_type = 'status_change' AND version_file > ? AND version_file <= ?
               GROUP BY GROUPING SETS ((review_id, axis), (axis))""",
            [after or "", upto],
        ).fetchall()
    except duckdb.Error:  # a version published before the change log existed
        return {}
    return {(review_id, axis): at for review_id, axis, at in rows}


def load_history(con: duckdb.DuckDBPyConnection, current: list[Figure], published_dir: Path | None
                 ) -> list[VersionProgress]:
    """Every kept version older than the one `con` reads, oldest first, then that one (whose figures the pages
    already hold: `current`). The same published/ gives the same list, whenever it is read."""
    info = warehouse_info(con)
    if info is None:
        return []
    versions = [v for v in (_older(p) for p in _kept(published_dir, info.version_file)) if v is not None]
    wanted = ("tracked", *TRACKED)
    versions.append(VersionProgress(info.version_file, info.published_at,
                                    {(f.figure, f.review_id): f for f in current if f.figure in wanted}))
    out, before = [], None
    for v in versions:
        out.append(VersionProgress(v.version_file, v.published_at, v.figures, _first_seen(con, before, v.version_file)))
        before = v.version_file
    return out
