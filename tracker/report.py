"""`tracker status`: a plain-text account of the published warehouse."""

from __future__ import annotations

from tracker.settings import Settings


def _table(headers: list[str], rows: list[tuple]) -> str:
    cells = [[str("" if v is None else v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells])


def _has_table(con, name: str) -> bool:
    """Whether the file has the table (a version published before it existed does not)."""
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0])


def status_text(settings: Settings) -> str:
    """Per review: found vs stated and counts by status; per source: documents and the last run."""
    from tracker.health import unhealthy_sources
    from tracker.warehouse.db import warehouse_info
    from tracker.warehouse.publish import open_published

    if not settings.warehouse.exists():
        return f"No published warehouse yet at {settings.warehouse}: run `tracker run --offline`."
    con = open_published(settings.warehouse)
    try:
        info = warehouse_info(con)
        out = [f"Warehouse {settings.warehouse}",
               f"  version {info.version_file} (run {info.run_id}, published {info.published_at:%Y-%m-%d %H:%M} UTC)"]
        unhealthy, checked = unhealthy_sources(con)
        if unhealthy:
            out.append(f"  INCOMPLETE: {len(unhealthy)} of {checked} sources unhealthy in the last run, so this "
                       "week's picture is incomplete:")
            out.extend(f"    {message}" for _, message in unhealthy)
        out.append("")
        rows = con.execute(
            """SELECT p.review_id, p.recommendations,
                      coalesce(CAST(p.expected_recommendations AS VARCHAR), 'not stated') AS stated,
                      CASE WHEN q.passed THEN 'ok' ELSE 'MISMATCH' END AS count_check,
                      p.accepted, p.accepted_in_principle, p.partially_accepted, p.rejected,
                      p.under_consideration, p.no_response,
                      p.implemented, p.partially_implemented, p.in_progress, p.paused, p.not_started,
                      p.superseded, p.unknown
               FROM review_progress p
               LEFT JOIN data_quality q ON q.review_id = p.review_id AND q.check_name = 'recommendation_count'"""
        ).fetchall()
        out.append("Reviews (response: acc / in principle / part / rej / considering / none; implementation: done / part / progress / paused / not started / superseded / unknown)")
        out.append(
            _table(
                ["review", "found", "stated", "check", "response", "implementation"],
                [
                    (r[0], r[1], r[2], r[3], " / ".join(map(str, r[4:10])), " / ".join(map(str, r[10:17])))
                    for r in rows
                ],
            )
        )
        out.append("")
        sources = con.execute(
            """SELECT source, count(*) AS documents, count(*) FILTER (WHERE relevant) AS relevant,
                      count(*) FILTER (WHERE NOT has_text) AS no_text_layer, max(fetched_at) AS last_capture
               FROM publications GROUP BY source ORDER BY source"""
        ).fetchall()
        out.append("Sources (a PDF with no text layer is kept and counted, never read as an empty document)")
        out.append(_table(["source", "documents", "relevant", "no text layer", "last capture (UTC)"], sources))
        health = con.execute(
            """WITH latest AS (SELECT *, row_number() OVER (PARTITION BY source ORDER BY checked_at DESC) AS rn FROM source_health)
               SELECT source, coalesce(CAST(listed AS VARCHAR), '-'), coalesce(CAST(fetched AS VARCHAR), '-'),
                      coalesce(CAST(failed AS VARCHAR), '-'), parsed, missing_title, missing_date,
                      CASE WHEN healthy THEN 'ok' ELSE 'UNHEALTHY' END, coalesce(message, '')
               FROM latest WHERE rn = 1 ORDER BY source"""
        ).fetchall()
        if health:
            out.append("\nSource health (last run; listed/fetched/failed only for live runs)")
            out.append(_table(["source", "listed", "fetched", "failed", "parsed", "no title", "no date", "health", "message"], health))
        crawl = con.execute(
            """SELECT source, count(*) AS urls, count(*) FILTER (WHERE last_status = 200) AS ok,
                      count(*) FILTER (WHERE last_status = 304) AS not_modified,
                      count(*) FILTER (WHERE consecutive_failures > 0) AS failing,
                      count(*) FILTER (WHERE skipped IS NOT NULL) AS skipped, max(last_fetched) AS last_fetched
               FROM crawl_state GROUP BY source ORDER BY source"""
        ).fetchall()
        if crawl:
            out.append("\nCrawl state (failing URLs are retried next run)")
            out.append(_table(["source", "urls", "200", "304", "failing", "skipped", "last fetched (UTC)"], crawl))
        last = con.execute(
            "SELECT run_id, started_at, finished_at, mode, outcome FROM runs ORDER BY started_at DESC LIMIT 1"
        ).fetchone()
        if last:
            out.append(f"\nLast run {last[0]}: {last[3]}, started {last[1]:%Y-%m-%d %H:%M}, {last[4]}")
        unmatched = con.execute(
            "SELECT file, line, review_id, number, axis, status, problem FROM corrections WHERE NOT applied ORDER BY file, line"
        ).fetchall()
        if unmatched:
            out.append(f"\nCorrections that match nothing ({len(unmatched)}; fix or remove them)")
            out.append(_table(["file", "line", "review", "number", "axis", "status", "problem"], unmatched))
        unresolved = con.execute(
            """SELECT review_id, coalesce(CAST(published_on AS VARCHAR), ''), axis || '=' || status, why,
                      CASE WHEN length(quote) > 90 THEN left(quote, 87) || '...' ELSE quote END, source_url
               FROM unresolved_statements ORDER BY review_id, published_on DESC NULLS LAST, source_url, quote"""
        ).fetchall()
        if unresolved:
            out.append(f"\nStatements the rules could not tie to recommendations ({len(unresolved)}; settle with a "
                       "correction row, see `unresolved_statements`)")
            out.append(_table(["review", "published", "says", "why", "quote", "source"], unresolved))
        disagreements = con.execute(
            """SELECT review_id, number, axis, official_status || ' (' || coalesce(CAST(official_published_on AS VARCHAR), '') || ')',
                      other_status || ' (' || CAST(other_published_on AS VARCHAR) || ')', other_cited_as
               FROM status_disagreements ORDER BY review_id, number, axis, other_published_on"""
        ).fetchall()
        if disagreements:
            out.append(f"\nLater statements that contradict the official position ({len(disagreements)}; the official "
                       "position stands on the response axis, see `status_disagreements`)")
            out.append(_table(["review", "number", "axis", "official", "says instead", "who"], disagreements))
        withdrawn = con.execute(
            """SELECT url, strftime(withdrawn_at, '%Y-%m-%d %H:%M'), withdrawn_by, reason FROM withdrawals
               WHERE restored_at IS NULL ORDER BY withdrawn_at, url"""
        ).fetchall() if _has_table(con, "withdrawals") else []
        if withdrawn:
            out.append(f"\nWithdrawn documents ({len(withdrawn)}; left out of every table, their bytes kept in the "
                       "archive; `tracker forget --undo URL` restores one)")
            out.append(_table(["url", "withdrawn (UTC)", "by", "reason"], withdrawn))
        errors = con.execute(
            "SELECT url, stage, coalesce(breach, ''), error FROM processing_errors ORDER BY url, stage"
        ).fetchall()
        if errors:
            out.append(f"\nProcessing errors ({len(errors)}; retried next run, except a limit breach: "
                       "only once the document's bytes change)")
            out.append(_table(["url", "stage", "breach", "error"], errors))
        out.extend(watched_pages_section(con, settings))
        return "\n".join(out)
    finally:
        con.close()


# --- the analyst's watchlist and registry -------------------------------------------------------


def watched_pages_section(con, settings: Settings) -> list[str]:
    """`tracker status` lines for the watchlist: per watched page its last fetch, change and health.

    Rows come from the published `watched_pages`; a page added since the last run shows as not fetched yet.
    """
    from tracker.watchlist import read_watchlist

    pages = read_watchlist(settings)
    if not pages:
        return []
    known = {}
    if _has_table(con, "watched_pages"):
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
                    "problem / note"], rows)]


def watchlist_table(settings: Settings) -> str:
    """`tracker watch list`: each watched page, when it was added and why."""
    from tracker.watchlist import read_watchlist

    pages = read_watchlist(settings)
    if not pages:
        return f"No watched pages ({settings.watchlist_file}): add one with `tracker watch add URL --note TEXT`."
    return _table(["url", "added (UTC)", "note"],
                  [(p.url, f"{p.added_at:%Y-%m-%d %H:%M}" if p.added_at else "", p.note) for p in pages])


def reviews_table(settings: Settings) -> str:
    """`tracker reviews`: the merged registry, where each review comes from and its own documents."""
    from tracker.registry import REGISTRY_FILE, reviews_for, user_registry

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
