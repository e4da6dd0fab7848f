"""Progress over time: % accepted and % implemented per review in every published version still kept
(published/: the newest few and one a week for two years), each read from that version's own
briefing_figures_on(its publication day), so a version's figures are the ones it printed; and, for each
figure that moved since the kept version before, when the change log first saw a status change behind it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from pathlib import Path

import duckdb

from tracker.publish.site.data import Figure
from tracker.staging import staged
from tracker.warehouse.changelog import VERSION_NAME
from tracker.warehouse.db import DatabaseUnavailable, attach_read_only, warehouse_info
from tracker.warehouse.rows import select

# The figures a version's row shows, and the axis whose status changes move each.
TRACKED = {"accepted": "response", "implemented": "implementation"}
# site/.history.json: each kept version's figures as read once. A published version never changes, and two years
# of weekly versions would otherwise be opened on every run (about 80 ms each).
CACHE = ".history.json"


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


def _identity(path: Path) -> list:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def _read_cache(path: Path | None) -> dict:
    """{version file: {"file": [size, mtime_ns], "published_at": ..., "figures": [...]}}; {} when absent or unusable."""
    try:
        cache = json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}
    ok = isinstance(cache, dict) and cache.get("fields") == [f.name for f in fields(Figure)]
    return cache.get("versions", {}) if ok else {}


def _cached(entry: dict | None, path: Path) -> VersionProgress | None:
    if not entry or entry.get("file") != _identity(path):
        return None
    return VersionProgress(path.name, datetime.fromisoformat(entry["published_at"]),
                           {(f["figure"], f["review_id"]): Figure(**f) for f in entry["figures"]})


def _write_cache(path: Path, versions: dict[Path, VersionProgress]) -> None:
    body = {"fields": [f.name for f in fields(Figure)],
            "versions": {p.name: {"file": _identity(p), "published_at": v.published_at.isoformat(),
                                  "figures": [asdict(f) for f in v.figures.values()]} for p, v in versions.items()}}
    text = json.dumps(body, sort_keys=True, indent=1)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        with staged(path, "w", encoding="utf-8") as fh:
            fh.write(text)


def _older_versions(paths: list[Path], cache: Path | None) -> list[VersionProgress]:
    """Each kept version's figures, from the cache when the file is the one cached, else read (and cached)."""
    entries = _read_cache(cache)
    read: dict[Path, VersionProgress] = {}
    for path in paths:
        version = _cached(entries.get(path.name), path) or _older(path)
        if version is not None:
            read[path] = version
    if cache is not None:
        _write_cache(cache, read)
    return list(read.values())


def load_history(con: duckdb.DuckDBPyConnection, current: list[Figure], published_dir: Path | None,
                 cache: Path | None = None) -> list[VersionProgress]:
    """Every kept version older than the one `con` reads, oldest first, then that one (whose figures the pages
    already hold: `current`). The same published/ gives the same list, whenever it is read. `cache`: where the
    older versions' figures are kept between runs (site/.history.json)."""
    info = warehouse_info(con)
    if info is None:
        return []
    versions = _older_versions(_kept(published_dir, info.version_file), cache)
    wanted = ("tracked", *TRACKED)
    versions.append(VersionProgress(info.version_file, info.published_at,
                                    {(f.figure, f.review_id): f for f in current if f.figure in wanted}))
    out, before = [], None
    for v in versions:
        out.append(VersionProgress(v.version_file, v.published_at, v.figures, _first_seen(con, before, v.version_file)))
        before = v.version_file
    return out
