"""The full tables inside site/ (site/downloads/): the CSV files and the Excel workbook the same outputs
stage exported, copied byte for byte, so the briefing on a USB stick carries its data. "Download this
view" (the filtered rows as CSV) is made in the browser by the page's script."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tracker.publish.site.copies import prune
from tracker.publish.site.context import Context
from tracker.publish.site.markup import e
from tracker.staging import staged

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.(csv|xlsx)$")
_WHAT = {
    "tracker.xlsx": "Every table below in one Excel workbook",
    "review_progress.csv": "Progress by review",
    "recommendation_status.csv": "Every recommendation with both statuses, their quotes and sources",
    "recommendations.csv": "The recommendations as the reviews word them",
    "status_evidence.csv": "Every status statement (quote, publisher, date)",
    "status_changes.csv": "The dated history of every status",
    "status_disagreements.csv": "Where a later statement contradicts the official position",
    "stale_recommendations.csv": "Recommendations not mentioned for 12 months (as of the day exported)",
    "progress_by_theme.csv": "Progress by review and theme",
    "evidence_by_publisher.csv": "Statements by publisher",
    "unresolved_statements.csv": "Statements awaiting an analyst",
    "changes.csv": "This week's changes",
    "changes_last_7_days.csv": "Changes detected in the last 7 days",
    "changes_last_30_days.csv": "Changes detected in the last 30 days",
}


def download_names(exports_dir: Path | None) -> tuple[str, ...]:
    """The exported CSV files and workbook the site carries, workbook first."""
    if exports_dir is None or not exports_dir.is_dir():
        return ()
    return tuple(sorted((p.name for p in exports_dir.iterdir() if p.is_file() and _NAME.match(p.name)),
                        key=lambda n: (not n.endswith(".xlsx"), n not in _WHAT,
                                       list(_WHAT).index(n) if n in _WHAT else 0, n)))


def copy_downloads(exports_dir: Path | None, names: tuple[str, ...], site_dir: Path) -> None:
    """Copy the named exports into site/downloads/, and remove what is there besides them."""
    target = site_dir / "downloads"
    if exports_dir is not None and exports_dir.is_dir():
        target.mkdir(parents=True, exist_ok=True)
    for name in names:
        with open(exports_dir / name, "rb") as src, staged(target / name) as fh:
            shutil.copyfileobj(src, fh)
    prune(target, set(names))


def downloads_section(ctx: Context) -> str:
    if not ctx.downloads:
        return ("<section id='downloads' aria-labelledby='downloads-title'><h2 id='downloads-title'>Downloads</h2>"
                "<p>The full tables are in <code>exports/latest/</code> (CSV, Excel, Parquet).</p></section>")
    items = "".join(
        f"<li><a href='{e(ctx.root)}downloads/{e(name)}' download>{e(_WHAT.get(name, name))} "
        f"({'Excel' if name.endswith('.xlsx') else 'CSV'}: {e(name)})</a></li>"
        for name in ctx.downloads
    )
    return (
        "<section id='downloads' aria-labelledby='downloads-title'><h2 id='downloads-title'>Downloads</h2>"
        "<p>The full tables of this version, as exported with it (also in <code>exports/latest/</code>, with "
        "Parquet copies). To download only the rows you have filtered, use <em>Download this view</em> above "
        "the table.</p>"
        f"<ul class='downloads'>{items}</ul></section>"
    )
