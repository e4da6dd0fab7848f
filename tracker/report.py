"""`tracker status`: a plain-text account of the published warehouse."""

from __future__ import annotations

import textwrap

import duckdb

from tracker.errors import TrackerError
from tracker.health import latest_checks, unhealthy_sources
from tracker.registry import REGISTRY_FILE, reviews_for, user_registry
from tracker.settings import Settings
from tracker.vocabulary import IMPLEMENTATION_STATUSES, RESPONSE_STATUSES, STATUSES
from tracker.warehouse.db import has_table, warehouse_info
from tracker.warehouse.versions import open_published, published_versions, version_time
from tracker.watchlist import read_watchlist


class NothingPublished(TrackerError):
    """`tracker status` before any run has published a warehouse."""


class _Rows(str):
    """A table's text: its lines are already laid out (status_text wraps only prose)."""


_MIN_TEXT = 12  # a text column narrower than this reads worse than a line that runs over


def _table(headers: list[str], rows: list[tuple], groups: list[tuple[str, int, int]] = (), width: int | None = None,
           text: tuple[int, ...] = ()) -> _Rows:
    """Plain columns; `groups` (label, first column, last column) adds a line naming spans of columns. Wider than
    `width`, the `text` columns (free text: messages, quotes, addresses) narrow, widest first, and wrap."""
    cells = [[str("" if v is None else v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    while width and sum(widths) + 2 * (len(widths) - 1) > width:
        narrowable = [i for i in text if widths[i] > max(_MIN_TEXT, len(headers[i]))]
        if not narrowable:
            break
        widest = max(narrowable, key=lambda i: widths[i])
        widths[widest] -= 1
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()
    top = []
    if groups:
        starts = [sum(widths[:i]) + 2 * i for i in range(len(widths))]
        above = ""
        for label, first, last in groups:
            span = starts[last] + widths[last] - starts[first]
            rule = (label + " " + "-" * max(span - len(label) - 1, 0))[:max(span, len(label))]
            above = above.ljust(starts[first]) + rule
        top = [above]
    body = []
    for row in cells:
        parts = [textwrap.wrap(v, w, break_on_hyphens=False) or [""] if len(v) > w else [v]
                 for v, w in zip(row, widths)]
        body.extend(line([p[n] if n < len(p) else "" for p in parts]) for n in range(max(map(len, parts))))
    return _Rows("\n".join(top + [line(headers), line(["-" * w for w in widths])] + body))


def _wrap(text: str, width: int | None) -> str:
    """Prose lines folded to `width`, continuation lines indented two spaces more than their first."""
    if not width or isinstance(text, _Rows):
        return text
    out = []
    for piece in text.split("\n"):
        indent = " " * (len(piece) - len(piece.lstrip()))
        out.append(textwrap.fill(piece, width, subsequent_indent=indent + "  ", break_on_hyphens=False)
                   if len(piece) > width else piece)
    return "\n".join(out)


def _dicts(con, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def _status(con, path) -> dict:
    """Everything `tracker status` shows, as plain data (the text and --json are both made from it)."""

    info = warehouse_info(con)
    unhealthy, checked = unhealthy_sources(con)
    reviews = []
    for r in _dicts(con, f"""SELECT p.review_id, p.recommendations AS found, p.expected_recommendations AS stated,
                                    CASE WHEN q.passed THEN 'ok' ELSE 'MISMATCH' END AS count_check,
                                    {", ".join(f"p.{s}" for s in RESPONSE_STATUSES + IMPLEMENTATION_STATUSES)}
                             FROM review_progress p
                             LEFT JOIN data_quality q
                                    ON q.review_id = p.review_id AND q.check_name = 'recommendation_count'"""):
        reviews.append({"review_id": r["review_id"], "found": r["found"], "stated": r["stated"],
                        "count_check": r["count_check"],
                        "response": {s: r[s] for s in RESPONSE_STATUSES},
                        "implementation": {s: r[s] for s in IMPLEMENTATION_STATUSES}})
    return {
        "warehouse": str(path),
        "version_file": info.version_file if info else None,
        "run_id": info.run_id if info else None,
        "published_at": info.published_at if info else None,
        "sources_checked": checked,
        "unhealthy_sources": [{"source": c.source, "message": c.message} for c in unhealthy],
        "reviews": reviews,
        "sources": _dicts(con, """SELECT source, count(*) AS documents, count(*) FILTER (WHERE relevant) AS relevant,
                                         count(*) FILTER (WHERE NOT has_text) AS no_text_layer,
                                         max(fetched_at) AS last_capture
                                  FROM publications GROUP BY source ORDER BY source"""),
        "source_health": [
            {"source": c.source, "listed": c.listed, "fetched": c.fetched, "failed": c.failed, "parsed": c.parsed,
             "missing_title": c.missing_title, "missing_date": c.missing_date, "healthy": c.healthy,
             "message": c.message or ""}
            for c in latest_checks(con)
        ],
        "crawl_state": _dicts(con, """SELECT source, count(*) AS urls, count(*) FILTER (WHERE last_status = 200) AS ok,
                                             count(*) FILTER (WHERE last_status = 304) AS not_modified,
                                             count(*) FILTER (WHERE consecutive_failures > 0) AS failing,
                                             count(*) FILTER (WHERE skipped IS NOT NULL) AS skipped,
                                             max(last_fetched) AS last_fetched
                                      FROM crawl_state GROUP BY source ORDER BY source"""),
        "last_run": next(iter(_dicts(con, """SELECT run_id, started_at, finished_at, mode, outcome FROM runs
                                             ORDER BY started_at DESC LIMIT 1""")), None),
        "corrections_unmatched": _dicts(con, """SELECT file, line, review_id, number, axis, status, problem
                                                FROM corrections WHERE NOT applied ORDER BY file, line"""),
        "unresolved_statements": _dicts(con, """SELECT review_id, published_on, axis, status, why, quote, source_url
                                                FROM unresolved_statements
                                                ORDER BY review_id, published_on DESC NULLS LAST, source_url, quote"""),
        "disagreements": _dicts(con, """SELECT review_id, number, axis, official_status, official_published_on,
                                               other_status, other_published_on, other_cited_as
                                        FROM status_disagreements
                                        ORDER BY review_id, number, axis, other_published_on"""),
        "withdrawn": _dicts(con, """SELECT url, withdrawn_at, withdrawn_by, reason FROM withdrawals
                                    WHERE restored_at IS NULL ORDER BY withdrawn_at, url""")
        if has_table(con, "withdrawals") else [],
        "processing_errors": _dicts(con, "SELECT url, stage, breach, error FROM processing_errors ORDER BY url, stage"),
    }


def status_data(settings: Settings) -> dict:
    """`tracker status --json`: the same account as plain data (dates and times as ISO strings, UTC)."""

    if not settings.warehouse.exists():
        return {"warehouse": str(settings.warehouse), "version_file": None}
    with open_published(settings.warehouse) as con:
        return _status(con, settings.warehouse)


def _dash(value) -> str:
    return "-" if value is None else str(value)


def status_text(settings: Settings, width: int | None = None) -> str:
    """Per review: found vs stated and counts by status; per source: documents and the last run. Lines fit in
    `width` where they can: prose and free-text columns wrap, and a reviews table too wide becomes a line each."""

    if not settings.warehouse.exists():
        raise NothingPublished(f"no published warehouse yet at {settings.warehouse}: run `tracker run --offline`")
    with open_published(settings.warehouse) as con:
        st = _status(con, settings.warehouse)
    out = [f"Warehouse {settings.warehouse}"]
    if st["version_file"]:
        out.append(f"  version {st['version_file']} (run {st['run_id']}, "
                   f"published {st['published_at']:%Y-%m-%d %H:%M} UTC)")
    if st["unhealthy_sources"]:
        out.append(f"  INCOMPLETE: {len(st['unhealthy_sources'])} of {st['sources_checked']} sources unhealthy in the "
                   "last run, so this week's picture is incomplete:")
        out.extend(f"    {u['message']}" for u in st["unhealthy_sources"])
    out.append("")
    out.append("Reviews (found: recommendations read; stated: what the review says it made; then the count of "
               "recommendations at each latest status)")
    out.append(_reviews(st["reviews"], width))
    out.append("")
    out.append("Sources (a PDF with no text layer is kept and counted, never read as an empty document)")
    out.append(_table(["source", "documents", "relevant", "no text layer", "last capture (UTC)"],
                      [tuple(s.values()) for s in st["sources"]]))
    if st["source_health"]:
        out.append("\nSource health (last run; listed/fetched/failed only for live runs)")
        out.append(_table(["source", "listed", "fetched", "failed", "parsed", "no title", "no date", "health",
                           "why"],
                          [(h["source"], _dash(h["listed"]), _dash(h["fetched"]), _dash(h["failed"]), h["parsed"],
                            h["missing_title"], h["missing_date"], "ok" if h["healthy"] else "UNHEALTHY", h["message"])
                           for h in st["source_health"]], width=width, text=(8,)))
    if st["crawl_state"]:
        out.append("\nCrawl state (failing URLs are retried next run)")
        out.append(_table(["source", "urls", "200", "304", "failing", "skipped", "last fetched (UTC)"],
                          [tuple(c.values()) for c in st["crawl_state"]]))
    last = st["last_run"]
    if last:
        out.append(f"\nLast run {last['run_id']}: {last['mode']}, started {last['started_at']:%Y-%m-%d %H:%M}, "
                   f"{last['outcome']}")
    if st["corrections_unmatched"]:
        out.append(f"\nCorrections that match nothing ({len(st['corrections_unmatched'])}; fix or remove them)")
        out.append(_table(["file", "line", "review", "number", "axis", "status", "problem"],
                          [tuple(c.values()) for c in st["corrections_unmatched"]], width=width, text=(0, 6)))
    if st["unresolved_statements"]:
        out.append(f"\nStatements the rules could not tie to recommendations ({len(st['unresolved_statements'])}; "
                   "settle with a correction row, see `unresolved_statements`)")
        out.append(_table(["review", "published", "says", "why", "quote", "source"],
                          [(u["review_id"], "" if u["published_on"] is None else str(u["published_on"]),
                            f"{u['axis']}={u['status']}", u["why"],
                            u["quote"][:87] + "..." if len(u["quote"]) > 90 else u["quote"], u["source_url"])
                           for u in st["unresolved_statements"]], width=width, text=(3, 4, 5)))
    if st["disagreements"]:
        out.append(f"\nLater statements that contradict the official position ({len(st['disagreements'])}; "
                   "the official position stands on the response axis, see `status_disagreements`)")
        out.append(_table(["review", "number", "axis", "official", "says instead", "who"],
                          [(d["review_id"], d["number"], d["axis"],
                            f"{d['official_status']} "
                            f"({'' if d['official_published_on'] is None else d['official_published_on']})",
                            f"{d['other_status']} "
                            f"({'' if d['other_published_on'] is None else d['other_published_on']})",
                            d["other_cited_as"])
                           for d in st["disagreements"]], width=width, text=(3, 4, 5)))
    if st["withdrawn"]:
        out.append(f"\nWithdrawn documents ({len(st['withdrawn'])}; left out of every table, their bytes kept in the "
                   "archive; `tracker forget --undo URL` restores one)")
        out.append(_table(["url", "withdrawn (UTC)", "by", "reason"],
                          [(w["url"], f"{w['withdrawn_at']:%Y-%m-%d %H:%M}", w["withdrawn_by"], w["reason"])
                           for w in st["withdrawn"]], width=width, text=(0, 3)))
    if st["processing_errors"]:
        out.append(f"\nProcessing errors ({len(st['processing_errors'])}; retried next run, except a limit breach: "
                   "only once the document's bytes change)")
        out.append(_table(["url", "stage", "breach", "error"],
                          [(e["url"], e["stage"], e["breach"] or "", e["error"]) for e in st["processing_errors"]],
                          width=width, text=(0, 3)))
    with open_published(settings.warehouse) as con:
        out.extend(watched_pages_section(con, settings, width))
    return "\n".join(_wrap(part, width) for part in out)


def _reviews(reviews: list[dict], width: int | None) -> str:
    """The reviews table, one column per status; narrower than that, a line per review naming its non-zero counts."""
    n_resp, n_impl = len(RESPONSE_STATUSES), len(IMPLEMENTATION_STATUSES)
    table = _table(
        ["review", "found", "stated", "check"] + [s.short for s in STATUSES],
        [(r["review_id"], r["found"], "not stated" if r["stated"] is None else r["stated"], r["count_check"],
          *r["response"].values(), *r["implementation"].values()) for r in reviews],
        groups=[("response", 4, 3 + n_resp), ("implementation", 4 + n_resp, 3 + n_resp + n_impl)],
    )
    if not width or max(map(len, table.splitlines())) <= width:
        return table
    # a no-break space keeps each label with its count when the line is folded
    counts = lambda by: ", ".join(f"{s.short} {by[s.name]}".replace(" ", "\u00a0")
                                  for s in STATUSES if by.get(s.name)) or "none"
    stated = lambda n: "not stated" if n is None else f"stated {n}"
    lines = []
    for r in reviews:
        lines.append(f"{r['review_id']}: found {r['found']}, {stated(r['stated'])}, {r['count_check']}")
        for axis in ("response", "implementation"):
            lines.append(textwrap.fill(f"  {axis}: {counts(r[axis])}", width, subsequent_indent="    ",
                                       break_on_hyphens=False).replace("\u00a0", " "))
    return _Rows("\n".join(lines))


def versions_data(settings: Settings) -> list[dict]:
    """`tracker versions`: every version kept in published/, oldest first, and which one is current."""

    current = None
    if settings.warehouse.exists():
        with open_published(settings.warehouse) as con:
            info = warehouse_info(con)
            current = info.version_file if info else None
    rows = []
    for path in published_versions(settings):
        run_id = run_type = None
        try:
            con = open_published(path)
        except Exception:  # pruned by a run between the listing and the open
            continue
        with con:
            info = warehouse_info(con)
            run_id = info.run_id if info else None
            try:
                found = con.execute("SELECT run_type FROM runs WHERE run_id = ?", [run_id]).fetchone()
                run_type = found[0] if found else None
            except duckdb.Error:  # a version published before runs had run_type
                pass
        rows.append({"version_file": path.name, "published_at": version_time(path), "run_id": run_id,
                     "run_type": run_type, "current": path.name == current, "bytes": path.stat().st_size,
                     "path": str(path)})
    return rows


def versions_text(settings: Settings) -> str:
    rows = versions_data(settings)
    if not rows:
        return f"No published versions yet in {settings.published_dir}: run `tracker run --offline`."
    return "\n".join([
        f"Published versions in {settings.published_dir} ({len(rows)}; `tracker export --as-of VERSION|DATE` and "
        "`tracker sql --as-of VERSION|DATE` read one)",
        _table(["version", "published (UTC)", "run", "type", "size", "current"],
               [(r["version_file"], f"{r['published_at']:%Y-%m-%d %H:%M:%S}", _dash(r["run_id"]), _dash(r["run_type"]),
                 f"{r['bytes'] / 1e6:.1f} MB", "current" if r["current"] else "") for r in rows]),
    ])


# --- the analyst's watchlist and registry -------------------------------------------------------


def watched_pages_section(con, settings: Settings, width: int | None = None) -> list[str]:
    """`tracker status` lines for the watchlist: per watched page its last fetch, change and health.

    Rows come from the published `watched_pages`; a page added since the last run shows as not fetched yet.
    """

    pages = read_watchlist(settings)
    if not pages:
        return []
    known = {}
    if has_table(con, "watched_pages"):
        for row in con.execute(
            """SELECT url, strftime(last_fetched, '%Y-%m-%d %H:%M'), last_status, change,
                      strftime(last_changed, '%Y-%m-%d'), evidence, healthy, problem FROM watched_pages"""
        ).fetchall():
            known[row[0]] = row
    rows = []
    for page in pages:
        url, fetched, status, change, changed, evidence, healthy, problem = known.get(page.url) or (
            page.url, None, None, None, None, None, None, None)
        health = "not fetched yet" if healthy is None else ("ok" if healthy else "UNHEALTHY")
        rows.append((page.url, fetched or "-", status if status is not None else "-", change or "-", changed or "-",
                     evidence if evidence is not None else "-", health, problem or page.note))
    return [f"\nWatched pages ({len(pages)}; `tracker watch list`; fetched by every live run, as the source watchlist)",
            _table(["url", "last fetch (UTC)", "http", "change", "last changed", "evidence", "health",
                    "problem / note"], rows, width=width, text=(0, 7))]


def watchlist_table(settings: Settings) -> str:
    """`tracker watch list`: each watched page, when it was added and why."""

    pages = read_watchlist(settings)
    if not pages:
        return f"No watched pages ({settings.watchlist_file}): add one with `tracker watch add URL --note TEXT`."
    return _table(["url", "added (UTC)", "note"],
                  [(p.url, f"{p.added_at:%Y-%m-%d %H:%M}" if p.added_at else "", p.note) for p in pages])


def reviews_table(settings: Settings) -> str:
    """`tracker reviews`: the merged registry, where each review comes from and its own documents."""

    reviews = reviews_for(settings)
    user = user_registry(settings)
    head = [f"Built-in registry {REGISTRY_FILE}",
            f"Your registry {user}" if user else
            f"Your registry: none (create {settings.home / 'reviews.toml'} or set TRACKER_REGISTRY)", ""]
    rows = [(r.review_id, r.short_name, r.expected_recommendations or "not stated", r.origin.replace("_", " "),
             len({u for u in (r.url, *r.documents) if u})) for r in reviews]
    docs = [f"  {r.review_id}: {u}" for r in reviews for u in dict.fromkeys(u for u in (r.url, *r.documents) if u)]
    return "\n".join([*head, _table(["review", "short name", "stated", "from", "own documents"], rows),
                      "", "Own documents (recommendations are read from these, their attachments and child pages)",
                      *docs])
