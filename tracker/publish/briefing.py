"""The HTML briefing: one self-contained page that opens from a USB stick (no network, no CDN).

site/index.html holds the week's changes and those of the last 7 and 30 days (publish/digest.py),
per review a matplotlib chart of recommendations by response and by implementation status, and a
table of every recommendation with its status badges, the verbatim quote behind each status, a link
to the source and to the archived capture (site/captures/<sha256>.<ext>, named by the SHA-256 of the
bytes in the WARC archive, linked relatively; an HTML copy has its scripts removed and every load
blocked: see captures.py), and a search box and filters in inline vanilla JavaScript. Every scraped
value is HTML-escaped; nothing scraped reaches a script, a style or an attribute other than an
escaped data-/href value.

The page depends only on the warehouse (and the archive for the captures): the same warehouse gives
the same bytes, so the dates on it are the data's and the run's, never the clock's.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from tracker.health import unhealthy_sources
from tracker.publish import charts
from tracker.publish.captures import safe_copy
from tracker.publish.digest import CHANGE_TYPES, Digest, describe
from tracker.warehouse.db import warehouse_info

log = logging.getLogger(__name__)

_SHA = re.compile(r"^[0-9a-f]{64}$")
_WARC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.warc(\.gz)?$")
_EXTENSIONS = {"application/pdf": "pdf", "application/json": "json", "text/html": "html",
               "application/xhtml+xml": "html", "text/plain": "txt"}


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _link(url: str | None, text: str, cls: str = "") -> str:
    if not url or not url.startswith(("http://", "https://")):
        return _e(text)
    klass = f' class="{cls}"' if cls else ""
    return f'<a{klass} href="{_e(url)}" rel="noopener noreferrer">{_e(text)}</a>'


def _day(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return "undated"


def _badge(status: str) -> str:
    return f'<span class="badge s-{_e(status)}">{_e(charts.label(status))}</span>'


@dataclass(frozen=True)
class CaptureFile:
    name: str  # <sha256>.<ext> inside site/captures/
    body: bytes


def _capture_files(con: duckdb.DuckDBPyConnection, archive_dir: Path | None, urls: set[str]) -> dict[str, CaptureFile]:
    """url -> the exact captured bytes it was parsed from, read from the WARC archive."""
    if archive_dir is None or not urls:
        return {}
    from tracker.fetch.archive import read_capture

    found: dict[str, CaptureFile] = {}
    rows = con.execute(
        "SELECT url, warc_file, warc_offset FROM publications WHERE warc_file IS NOT NULL ORDER BY url"
    ).fetchall()
    for url, warc_file, offset in rows:
        if url not in urls:
            continue
        if not _WARC_NAME.match(warc_file or ""):  # a file name in the archive, never a path
            log.warning("briefing: unexpected WARC file name %r for %s", warc_file, url)
            continue
        try:
            capture = read_capture(archive_dir / warc_file, int(offset))
        except Exception as exc:  # a missing archive must not cost the analysts their briefing
            log.warning("briefing: no archived capture for %s: %s", url, exc)
            continue
        sha = hashlib.sha256(capture.body).hexdigest()  # named by the archived bytes, as in the WARC archive
        mime = (capture.content_type or "").split(";")[0].strip().lower()
        ext = _EXTENSIONS.get(mime, "bin")
        found[url] = CaptureFile(f"{sha}.{ext}", safe_copy(capture.body, capture.content_type))
    return found


def _write_captures(captures_dir: Path, files: dict[str, CaptureFile]) -> None:
    captures_dir.mkdir(parents=True, exist_ok=True)
    for cf in files.values():
        path = captures_dir / cf.name
        if path.exists() and path.stat().st_size == len(cf.body):
            continue  # content-addressed: same name, same bytes
        tmp = captures_dir / f".{cf.name}.part"
        tmp.write_bytes(cf.body)
        os.replace(tmp, path)


def _prune_captures(captures_dir: Path, keep: set[str]) -> None:
    if not captures_dir.is_dir():
        return
    for path in captures_dir.iterdir():
        if path.is_file() and path.name not in keep:
            path.unlink(missing_ok=True)


_STYLE = """
:root{--blue:#005eb8;--text:#212b32;--grey:#4c6272;--line:#d8dde0;--pale:#f0f4f5}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0 auto;max-width:78rem;color:var(--text);padding:1rem 1.25rem 3rem;line-height:1.4}
header{border-bottom:4px solid var(--blue);margin-bottom:1rem}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid var(--blue);padding-bottom:.2rem}
h3{font-size:1.05rem;margin:.2rem 0}
.meta{color:var(--grey);font-size:.9rem;margin:.2rem 0 .8rem}
table{border-collapse:collapse;width:100%;font-size:.88rem}
th,td{border:1px solid var(--line);padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:var(--pale);position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr[hidden]{display:none}
#recommendations td:first-child{white-space:nowrap}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:.7rem;font-size:.78rem;white-space:nowrap;background:#e8edee;color:var(--text);font-weight:600}
.s-accepted,.s-implemented{background:#007f3b;color:#fff}
.s-accepted_in_principle,.s-partially_implemented{background:#78be20;color:#212b32}
.s-partially_accepted,.s-paused{background:#ffb81c;color:#212b32}
.s-rejected{background:#d5281b;color:#fff}
.s-under_consideration{background:#41b6e6;color:#212b32}
.s-in_progress{background:#005eb8;color:#fff}
.s-not_started{background:#ed8b00;color:#212b32}
.s-superseded{background:#7c2855;color:#fff}
.s-no_response,.s-unknown{background:#d8dde0;color:#212b32}
.q{color:var(--grey);font-size:.82rem;margin:.25rem 0 0}
.q blockquote{margin:0;font-style:italic}
.q .who{font-weight:600;font-size:.75rem;text-transform:uppercase;letter-spacing:.02em}
.q + .q{border-top:1px dashed var(--line);padding-top:.25rem}
cite{font-style:normal}
.disputed{display:inline-block;margin-left:.3rem;padding:0 .4rem;border:1px solid #a00;border-radius:.6rem;color:#a00;font-size:.72rem;font-weight:600}
.src{font-size:.78rem}
.warn{color:#a00;font-weight:600}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(30rem,1fr));gap:1rem;margin-top:1rem}
.card{border:1px solid var(--line);border-radius:.4rem;padding:.6rem .8rem}
.card p{margin:.2rem 0;font-size:.88rem}
svg.chart{width:100%;height:auto;display:block}
.controls{display:flex;flex-wrap:wrap;gap:.75rem;align-items:end;margin:.5rem 0;background:var(--pale);padding:.6rem .8rem;border-radius:.4rem}
.controls label{display:flex;flex-direction:column;font-size:.82rem;font-weight:600;gap:.2rem}
.controls input,.controls select{font:inherit;padding:.3rem .4rem;min-width:14rem;max-width:30rem}
#count{font-weight:600;margin:.4rem 0}
.changes ul{margin:.3rem 0 .6rem;padding-left:1.2rem;font-size:.88rem}
.changes details{margin:.3rem 0}
.changes summary{cursor:pointer;font-weight:600}
#source-health{border-left:6px solid #a00;background:#fdecea;padding:.2rem .8rem;margin-top:1rem}
.headline{font-size:1.05rem;font-weight:600;background:#fff9c4;border-left:6px solid #ffb81c;padding:.5rem .8rem}
details.history{font-size:.78rem;color:var(--grey)}
footer{margin-top:2rem;font-size:.8rem;color:var(--grey)}
@media print{.controls{display:none}th{position:static}}
"""

_SCRIPT = """
(function () {
  var table = document.getElementById('recommendations');
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var search = document.getElementById('search');
  var review = document.getElementById('filter-review');
  var status = document.getElementById('filter-status');
  var count = document.getElementById('count');
  var empty = document.getElementById('no-match');
  var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
  function apply() {
    var terms = search.value.toLowerCase().split(/\\s+/).filter(function (t) { return t; });
    var wantReview = review.value, wantStatus = status.value, shown = 0;
    rows.forEach(function (row, i) {
      var ok = (!wantReview || row.getAttribute('data-review') === wantReview) &&
        (!wantStatus || row.getAttribute('data-response') === wantStatus ||
          row.getAttribute('data-implementation') === wantStatus) &&
        terms.every(function (t) { return texts[i].indexOf(t) !== -1; });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = 'Showing ' + shown + ' of ' + rows.length + ' recommendations';
    empty.hidden = shown !== 0;
  }
  search.addEventListener('input', apply);
  review.addEventListener('change', apply);
  status.addEventListener('change', apply);
  document.getElementById('reset').addEventListener('click', function () {
    search.value = ''; review.value = ''; status.value = ''; apply();
  });
  apply();
})();
"""


@dataclass(frozen=True)
class Position:
    """One side of a status: the official position or the independent assessment, with its quote."""

    status: str
    quote: str
    published_on: date | None
    url: str
    cited_as: str


_POSITION_COLUMNS = ", ".join(
    f"{side}_{axis}_{field}" for axis in ("response", "implementation") for side in ("official", "independent")
    for field in ("status", "quote", "published_on", "source_url", "cited_as")
)
_POSITION_NAMES = {"official": "Official position", "independent": "Independent assessment"}


def _positions(row: tuple) -> dict[tuple[str, str], Position | None]:
    """(axis, side) -> Position from the _POSITION_COLUMNS part of a recommendation_status row."""
    out = {}
    values = iter(row)
    for axis in ("response", "implementation"):
        for side in ("official", "independent"):
            status, quote, published, url, cited_as = (next(values) for _ in range(5))
            out[(axis, side)] = Position(status, quote, published, url, cited_as or "") if status else None
    return out


def _statements(con: duckdb.DuckDBPyConnection) -> dict[tuple, list[tuple]]:
    """(review_id, number, axis) -> every statement, newest first: the record behind the two positions."""
    out: dict[tuple, list[tuple]] = {}
    for review_id, number, axis, status, quote, url, published, cited_as in con.execute(
        """SELECT review_id, number, axis, status, quote, source_url, published_on, cited_as FROM status_evidence
           ORDER BY review_id, number, axis, published_on DESC NULLS LAST, confidence DESC,
                    (method = 'analyst') DESC, source_url, quote"""
    ).fetchall():
        out.setdefault((review_id, number, axis), []).append((status, quote, url, published, cited_as or ""))
    return out


def _quote_block(side: str, position: Position, captures: dict[str, CaptureFile], badge: bool) -> str:
    archived = (f' \u00b7 <a href="captures/{_e(captures[position.url].name)}">archived copy</a>'
                if position.url in captures else "")
    lead = f"{_badge(position.status)} " if badge else ""
    return (
        f'<div class="q" data-position="{side}"><span class="who">{lead}{_e(_POSITION_NAMES[side])}</span>'
        f'<blockquote>\u201c{_e(position.quote)}\u201d</blockquote>'
        f'<span class="src"><cite>{_e(position.cited_as)}</cite> \u00b7 {_link(position.url, "source")}{archived}</span></div>'
    )


def _status_cell(status: str, basis: str | None, disputed: bool, positions: dict, statements: list[tuple],
                 captures: dict[str, CaptureFile]) -> str:
    """The headline badge, the quote it rests on, the other side's quote when there is one, and the rest folded."""
    parts = [_badge(status)]
    if disputed:
        parts.append(' <span class="disputed" title="A later statement contradicts the official position: see '
                     'status_disagreements">disputed</span>')
    shown = set()
    for side in ([basis] if basis else []) + [s for s in ("official", "independent") if s != basis]:
        position = positions.get(side)
        if position is None:
            continue
        parts.append(_quote_block(side, position, captures, badge=side != basis))
        shown.add((position.url, position.quote))
    rest = [st for st in statements if (st[2], st[1]) not in shown]
    if rest:
        earlier = "".join(
            f"<li>{_e(charts.label(s))} \u2014 \u201c{_e(q)}\u201d (<cite>{_e(c)}</cite>, {_link(u, 'source')})</li>"
            for s, q, u, p, c in rest
        )
        parts.append(
            f'<details class="history"><summary>{len(rest)} other statement{"s" if len(rest) > 1 else ""}'
            f"</summary><ul>{earlier}</ul></details>"
        )
    return "".join(parts)


def _change_items(rows: list[tuple]) -> str:
    items = []
    for change_type, review_id, number, axis, before, after, published, url, text in (row[:9] for row in rows):
        who = " ".join(x for x in (_e(review_id or ""), f"#{number}" if number is not None else "") if x)
        if change_type == "status_change":
            what = f"{_e(axis)}: {_badge(before)} \u2192 {_badge(after)} \u2014 \u201c{_e(text)}\u201d"
        elif change_type in ("new_evidence", "withdrawn_evidence"):
            what = f"{_e(axis)} {_badge(after or before)} \u2014 \u201c{_e(text)}\u201d"
        else:
            what = _e(text)
        items.append(
            f"<li>{'<strong>' + who + '</strong> ' if who else ''}{what} "
            f"<span class='src'>({_e(_day(published))}, {_link(url, 'source')})</span></li>"
        )
    return "".join(items)


def _health_section(unhealthy: list[tuple[str, str]], checked: int) -> str:
    """Which sources the last run found unhealthy, and why: a failed source is never a quiet week."""
    if not unhealthy:
        return ""
    items = "".join(
        f"<li data-source='{_e(source)}'><strong>{_e(source)}</strong>: {_e(message.removeprefix(source + ': '))}</li>"
        for source, message in unhealthy
    )
    return (
        "<section id='source-health'><h2>Sources that need attention</h2>"
        f"<p>{len(unhealthy)} of {checked} sources could not be read properly in the last run. What they gave in "
        f"earlier runs is still shown, but anything they published since may be missing.</p><ul>{items}</ul></section>"
    )


def _incomplete_sentence(unhealthy: list[tuple[str, str]]) -> str:
    names = ", ".join(source for source, _ in unhealthy)
    return f"This week's picture is incomplete: {names} {'was' if len(unhealthy) == 1 else 'were'} not read properly."


def _changes_section(digest: Digest | None, unhealthy: list[tuple[str, str]] = ()) -> str:
    if digest is None:
        if not unhealthy:
            return ""
        return f'<p class="headline" id="changes-headline">{_e(_incomplete_sentence(unhealthy))}</p>'
    headline = digest.headline()
    if unhealthy:
        headline = f"{_incomplete_sentence(unhealthy)} {headline}"
    parts = ['<section class="changes" id="changes"><h2>What changed</h2>',
             f'<p class="headline" id="changes-headline">{_e(headline)}</p>']
    if digest.rows:
        by_type: dict[str, list[tuple]] = {}
        for row in digest.rows:
            by_type.setdefault(row[0], []).append(row)
        for kind, title in CHANGE_TYPES.items():
            rows = by_type.get(kind)
            if not rows:
                continue
            # A normal week's few changes are shown; a first run's everything stays folded.
            open_attr = " open" if not digest.first_run and len(rows) <= 25 else ""
            parts.append(
                f'<details{open_attr} data-change="{_e(kind)}"><summary>{_e(title)} ({len(rows)})</summary>'
                f"<ul>{_change_items(rows)}</ul></details>"
            )
        parts.append("<p class='src'>Also in <code>exports/latest/changes.csv</code>.</p>")
    for days, rows in digest.recent.items():
        counted = describe(rows)
        parts.append(
            f'<details class="recent" id="changes-last-{days}-days" data-days="{days}"><summary>Detected in the last '
            f"{days} days: {_e(counted) if counted else 'no changes'}</summary>"
            + (f"<ul>{_change_items(rows)}</ul>" if rows else "")
            + "</details>"
        )
    parts.append("</section>")
    return "".join(parts)


def _unresolved_section(con: duckdb.DuckDBPyConnection) -> str:
    """Statements that name a review and a status the rules could not tie to recommendations: shown, never guessed."""
    rows = con.execute(
        """SELECT review_id, published_on, axis, status, why, quote, source_url, cited_as FROM unresolved_statements
           ORDER BY published_on DESC NULLS LAST, review_id, source_url, quote"""
    ).fetchall()
    parts = ["<section id='unresolved'><h2>Statements awaiting an analyst</h2>"]
    if not rows:
        parts.append("<p>None: every status statement the rules read was tied to recommendations.</p></section>")
        return "".join(parts)
    parts.append(
        f"<p>{len(rows)} statement{'s' if len(rows) != 1 else ''} name a review and a status, but the rules could not "
        "tell which recommendations they mean (a quantity without which, a list that matches nothing, a count that "
        "disagrees with the review). They are not counted above; an analyst settles each with a correction row.</p>"
        "<table id='unresolved-statements'><thead><tr><th>Review</th><th>Published</th><th>Says</th><th>Why unresolved</th>"
        "<th>Quote</th></tr></thead><tbody>"
    )
    for review_id, published, axis, status, why, quote, url, cited_as in rows:
        parts.append(
            f"<tr><td>{_e(review_id)}</td><td>{_e(_day(published))}</td><td>{_e(axis)}: {_badge(status)}</td>"
            f"<td>{_e(why)}</td><td>\u201c{_e(quote)}\u201d (<cite>{_e(cited_as)}</cite>, {_link(url, 'source')})</td></tr>"
        )
    parts.append("</tbody></table></section>")
    return "".join(parts)


def write_briefing(
    con: duckdb.DuckDBPyConnection,
    site_dir: Path,
    data_as_of: str | None = None,
    *,
    digest: Digest | None = None,
    archive_dir: Path | None = None,
) -> Path:
    """Render site/index.html (and site/captures/) from a published warehouse connection."""
    info = warehouse_info(con)
    run_id, published_at = (info.run_id, info.published_at) if info else (None, None)
    data_date, last_capture = con.execute(
        "SELECT max(published_on), max(fetched_at) FROM publications"
    ).fetchone()
    last_evidence = con.execute("SELECT max(published_on) FROM status_evidence").fetchone()[0]
    progress_cursor = con.execute("SELECT * FROM review_progress")
    pcols = [d[0] for d in progress_cursor.description]
    progress = [dict(zip(pcols, row)) for row in progress_cursor.fetchall()]
    titles = {p["review_id"]: p["title"] for p in progress}
    evidence = _statements(con)
    recs = con.execute(
        f"""SELECT s.review_id, s.number, r.theme, s.text, s.response_status, s.implementation_status,
                  s.evidence_count, r.source_url, s.response_basis, s.implementation_basis,
                  s.response_disputed, s.implementation_disputed, {_POSITION_COLUMNS}
           FROM recommendation_status AS s
           JOIN recommendations AS r ON r.review_id = s.review_id AND r.number = s.number
           ORDER BY s.review_id, s.number"""
    ).fetchall()
    review_order = [p["review_id"] for p in progress]
    recs.sort(key=lambda r: (review_order.index(r[0]) if r[0] in review_order else len(review_order), r[1]))

    wanted = {st[2] for statements in evidence.values() for st in statements}
    wanted |= {r[7] for r in recs if r[7]}
    captures = _capture_files(con, archive_dir, wanted)
    unhealthy, checked = unhealthy_sources(con)

    run_text = f"{published_at.strftime('%Y-%m-%d %H:%M')} UTC" if published_at else (data_as_of or "unknown")
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        # Nothing on this page may reach the network: no scripts, styles, fonts or images from elsewhere.
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">",
        "<meta name='referrer' content='no-referrer'>",
        "<title>NHS leadership reviews: progress briefing</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<header><h1>NHS leadership reviews: what has been decided and done</h1>",
        f"<p class='meta' id='dates'>Data up to <strong id='data-date'>{_e(_day(data_date))}</strong> "
        f"(latest publication in the archive; latest status statement {_e(_day(last_evidence))}"
        f"{', last capture ' + _e(_day(last_capture)) if last_capture else ''}) \u00b7 "
        f"published by run <code>{_e(run_id)}</code> on <strong id='run-date'>{_e(run_text)}</strong></p>",
        "<p class='meta'>Every status rests on a verbatim quote from a captured source, shown with its date, "
        "a link to the source and to the archived copy.</p></header>",
        _changes_section(digest, unhealthy),
        _health_section(unhealthy, checked),
        "<section id='reviews'><h2>Progress by review</h2>",
        "<table id='progress'><thead><tr><th>Review</th><th>Found</th><th>Stated</th><th>Accepted</th>"
        "<th>Implemented</th><th>In progress</th><th>Unknown</th><th>% implemented</th></tr></thead><tbody>",
    ]
    for r in progress:
        mismatch = r["expected_recommendations"] is not None and r["expected_recommendations"] != r["recommendations"]
        stated = r["expected_recommendations"] if r["expected_recommendations"] is not None else "not stated"
        pct = r["pct_implemented"] if r["pct_implemented"] is not None else ""
        parts.append(
            f"<tr data-review='{_e(r['review_id'])}'><td>{_e(r['title'])}</td>"
            f"<td class='n{' warn' if mismatch else ''}'>{_e(r['recommendations'])}</td><td class='n'>{_e(stated)}</td>"
            f"<td class='n'>{_e(r['accepted'])}</td><td class='n'>{_e(r['implemented'])}</td>"
            f"<td class='n'>{_e(r['in_progress'])}</td><td class='n'>{_e(r['unknown'])}</td><td class='n'>{_e(pct)}</td></tr>"
        )
    parts.append("</tbody></table><div class='cards'>")
    for r in progress:
        response = {s: int(r[s]) for s in charts.RESPONSE}
        implementation = {s: int(r[s]) for s in charts.IMPLEMENTATION}
        caption = "Response: " + ", ".join(f"{n} {charts.label(s)}" for s, n in response.items() if n) + \
            ". Implementation: " + ", ".join(f"{n} {charts.label(s)}" for s, n in implementation.items() if n) + "."
        chart = charts.stacked_status_chart(response, implementation) if r["recommendations"] else ""
        note = ""
        if r["expected_recommendations"] is not None and r["expected_recommendations"] != r["recommendations"]:
            note = (f"<p class='warn'>Found {_e(r['recommendations'])} recommendations; "
                    f"the review states {_e(r['expected_recommendations'])}.</p>")
        pct_text = f" \u00b7 {_e(r['pct_implemented'])}% implemented" if r["pct_implemented"] is not None else ""
        parts.append(
            f"<figure class='card' data-review='{_e(r['review_id'])}'><h3>{_e(r['title'])}</h3>"
            f"<p><code>{_e(r['review_id'])}</code> \u00b7 {_e(r['recommendations'])} recommendations{pct_text}</p>"
            f"{note}{chart}<figcaption class='meta'>{_e(caption)}</figcaption></figure>"
        )
    parts.append("</div></section>")

    # The table of every recommendation, with its filters.
    review_options = "".join(
        f"<option value='{_e(rid)}'>{_e(titles.get(rid, rid))} ({_e(rid)})</option>" for rid in review_order
    )
    status_options = "<optgroup label='Response'>" + "".join(
        f"<option value='{s}'>{_e(charts.label(s))}</option>" for s in charts.RESPONSE
    ) + "</optgroup><optgroup label='Implementation'>" + "".join(
        f"<option value='{s}'>{_e(charts.label(s))}</option>" for s in charts.IMPLEMENTATION
    ) + "</optgroup>"
    parts.append(
        "<section id='all'><h2>Every recommendation</h2>"
        "<form class='controls' role='search' onsubmit='return false'>"
        "<label for='search'>Search<input id='search' type='search' placeholder='words in the text, quotes, review' autocomplete='off'></label>"
        f"<label for='filter-review'>Review<select id='filter-review'><option value=''>All reviews</option>{review_options}</select></label>"
        f"<label for='filter-status'>Status<select id='filter-status'><option value=''>Any status</option>{status_options}</select></label>"
        "<button type='button' id='reset'>Clear</button></form>"
        f"<p id='count' aria-live='polite'>Showing {len(recs)} of {len(recs)} recommendations</p>"
        "<p id='no-match' hidden>No recommendation matches.</p>"
        "<table id='recommendations'><thead><tr><th>Review</th><th>No.</th><th>Recommendation</th>"
        "<th>Response</th><th>Implementation</th></tr></thead><tbody>"
    )
    for review_id, number, theme, text, response, implementation, count, source, *rest in recs:
        response_basis, implementation_basis, response_disputed, implementation_disputed = rest[:4]
        positions = _positions(rest[4:])
        cells = {
            axis: _status_cell(status, basis, disputed, {side: positions[(axis, side)] for side in ("official", "independent")},
                               evidence.get((review_id, number, axis), []), captures)
            for axis, status, basis, disputed in (
                ("response", response, response_basis, response_disputed),
                ("implementation", implementation, implementation_basis, implementation_disputed),
            )
        }
        theme_html = f"<div class='src'>{_e(theme)}</div>" if theme and theme != "overarching" else ""
        source_html = f" <span class='src'>({_link(source, 'review')})</span>" if source else ""
        parts.append(
            f"<tr id='{_e(review_id)}-{_e(number)}' data-review='{_e(review_id)}' data-number='{_e(number)}' "
            f"data-response='{_e(response)}' data-implementation='{_e(implementation)}'>"
            f"<td>{_e(review_id)}</td><td class='n'>{_e(number)}</td><td>{theme_html}{_e(text)}{source_html}</td>"
            f"<td>{cells['response']}</td><td>{cells['implementation']}</td></tr>"
        )
    parts.append("</tbody></table></section>")
    parts.append(_unresolved_section(con))
    parts.append(
        "<footer><p>response: what was decided; implementation: what has happened. The response is the official "
        "position (the owning body's or a minister's own words, else a report of them), or the latest independent "
        "assessment where no official statement exists; the implementation status is whichever of the two was "
        "published later. Each quote names its publisher and date; <em>disputed</em> marks a later statement "
        "that contradicts the official position (the <code>status_disagreements</code> table). "
        "With no statement: no response / unknown. The tables are also in <code>exports/latest/</code> "
        "(CSV, Excel, Parquet).</p></footer>"
    )
    parts.append(f"<script>{_SCRIPT}</script></body></html>")

    site_dir.mkdir(parents=True, exist_ok=True)
    captures_dir = site_dir / "captures"
    _write_captures(captures_dir, captures)
    path = site_dir / "index.html"
    tmp = path.with_name(".index.html.part")
    tmp.write_text("".join(parts), encoding="utf-8")
    os.replace(tmp, path)
    _prune_captures(captures_dir, {cf.name for cf in captures.values()})
    return path
