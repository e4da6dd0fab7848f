"""The HTML briefing: one self-contained page (no network) with progress per review and the evidence."""

from __future__ import annotations

import html
import os
from datetime import datetime, timezone
from pathlib import Path

import duckdb


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _link(url: str | None, text: str) -> str:
    if not url or not url.startswith(("http://", "https://")):
        return _e(text)
    return f'<a href="{_e(url)}" rel="noopener">{_e(text)}</a>'


_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Arial,sans-serif;margin:2rem auto;max-width:70rem;color:#212b32;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #005eb8}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #d8dde0;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#f0f4f5}.badge{display:inline-block;padding:.05rem .45rem;border-radius:.6rem;background:#e8edee;font-size:.8rem;white-space:nowrap}
.q{color:#4c6272;font-size:.85rem}.warn{color:#a00}
"""


def write_briefing(con: duckdb.DuckDBPyConnection, site_dir: Path, data_as_of: str) -> Path:
    """Render site/index.html from a published warehouse connection; every scraped value is escaped."""
    progress = con.execute("SELECT * FROM review_progress").fetchall()
    pcols = [d[0] for d in con.description]
    evidence = {}
    for review_id, number, axis, status, quote, url, published in con.execute(
        """SELECT review_id, number, axis, status, quote, source_url, published_on
           FROM status_evidence ORDER BY published_on DESC NULLS LAST, confidence DESC"""
    ).fetchall():
        evidence.setdefault((review_id, number, axis), (status, quote, url, published))
    status_rows = con.execute(
        "SELECT review_id, number, text, response_status, implementation_status FROM recommendation_status"
    ).fetchall()
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<title>NHS leadership reviews: progress briefing</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>NHS leadership reviews: what has been decided and done</h1>",
        f"<p>Data as of {_e(data_as_of)}; page generated {_e(datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC'))}.</p>",
        "<h2>Progress by review</h2><table id='progress'><thead><tr>",
        "<th>Review</th><th>Recommendations found</th><th>Stated</th><th>Accepted</th><th>Implemented</th>"
        "<th>In progress</th><th>Unknown</th><th>% implemented</th></tr></thead><tbody>",
    ]
    for row in progress:
        r = dict(zip(pcols, row))
        mismatch = r["expected_recommendations"] is not None and r["expected_recommendations"] != r["recommendations"]
        stated = _e(r["expected_recommendations"] if r["expected_recommendations"] is not None else "not stated")
        parts.append(
            f"<tr data-review='{_e(r['review_id'])}'><td>{_e(r['title'])}</td>"
            f"<td{' class=warn' if mismatch else ''}>{_e(r['recommendations'])}</td><td>{stated}</td>"
            f"<td>{_e(r['accepted'])}</td><td>{_e(r['implemented'])}</td><td>{_e(r['in_progress'])}</td>"
            f"<td>{_e(r['unknown'])}</td><td>{_e(r['pct_implemented'] if r['pct_implemented'] is not None else '')}</td></tr>"
        )
    parts.append("</tbody></table><h2>Every recommendation</h2><table id='recommendations'><thead><tr>")
    parts.append("<th>Review</th><th>No.</th><th>Recommendation</th><th>Response</th><th>Implementation</th></tr></thead><tbody>")
    for review_id, number, text, response, implementation in status_rows:
        cells = []
        for axis, status in (("response", response), ("implementation", implementation)):
            ev = evidence.get((review_id, number, axis))
            cell = f"<span class='badge'>{_e(status.replace('_', ' '))}</span>"
            if ev:
                cell += f"<div class='q'>\u201c{_e(ev[1])}\u201d \u2014 {_link(ev[2], str(ev[3] or 'source'))}</div>"
            cells.append(f"<td>{cell}</td>")
        parts.append(
            f"<tr data-review='{_e(review_id)}'><td>{_e(review_id)}</td><td>{_e(number)}</td><td>{_e(text)}</td>{''.join(cells)}</tr>"
        )
    parts.append("</tbody></table></body></html>")
    site_dir.mkdir(parents=True, exist_ok=True)
    path = site_dir / "index.html"
    tmp = path.with_name(".index.html.part")
    tmp.write_text("".join(parts), encoding="utf-8")
    os.replace(tmp, path)
    return path
