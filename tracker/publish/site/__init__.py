"""The HTML briefing: a small static site that opens from a USB stick (no network, no CDN).

    site/index.html                      the briefing (publish/site/index.py)
    site/summary.html                    a two-page summary for briefing packs (summary.py)
    site/recommendations/<id>-<n>.html   one page per recommendation (recommendation.py)
    site/progress.html                   % accepted and implemented per review, version by version (progress.py)
    site/feeds/changes.atom, <review>.atom  the detected changes as Atom 1.0 feeds (feeds.py)
    site/methodology.html                what the statuses mean, whose word counts, how accurate (methodology.py)
    site/captures/<sha256>.<ext>         archived copies, inert (archive.py, publish/captures.py)
    site/.captures.json                  which capture each copy was made from (capture_manifest.py)
    site/.history.json                   each kept version's figures for progress over time, read once (history.py)
    site/downloads/                      the exported CSV files and workbook (downloads.py)

Every figure a page prints is a row of the briefing_figures view (figures.py prints them, marked so a test
checks each page against the view), and every page says what it is as at (figures.as_at).

Every page carries a Content-Security-Policy that blocks every load from elsewhere; every scraped
value is HTML-escaped. The site depends only on the warehouse (and the archive for the captures, the
exports for the downloads): the same warehouse gives the same bytes, so the dates on it are the
data's and the run's, never the clock's.

Three steps: `load_briefing` reads everything the pages show into a `Briefing`; `render_briefing` makes
every page's HTML from that alone (no database, no files), so a page can be rendered and tested from a
hand-built Briefing; `write_briefing` runs both and writes the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from tracker.health import HealthRow, unhealthy_sources
from tracker.publish.accuracy import Accuracy, load_accuracy
from tracker.publish.digest import Change, Digest
from tracker.publish.site.copies import prune
from tracker.publish.site.capture_manifest import Stored, sync_captures
from tracker.publish.site.context import Context
from tracker.publish.site.data import SiteData, load_site_data
from tracker.publish.site.downloads import copy_downloads, download_names
from tracker.publish.site.figures import as_at
from tracker.publish.site.feeds import FEEDS_DIR, feed_pages, load_feed_changes
from tracker.publish.site.history import CACHE as HISTORY_CACHE
from tracker.publish.site.history import VersionProgress, load_history
from tracker.publish.site.index import index_page
from tracker.publish.site.methodology import methodology_page
from tracker.publish.site.progress import PAGE as PROGRESS, progress_page
from tracker.publish.site.recommendation import recommendation_page
from tracker.publish.site.summary import summary_page
from tracker.settings import DEFAULT_MIN_CONFIDENCE
from tracker.staging import staged

__all__ = ["Briefing", "load_briefing", "render_briefing", "write_briefing", "write_captures"]


def _write(path: Path, text: str) -> None:
    with staged(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def _cited(data, digest: Digest | None) -> set[str]:
    """Every URL a page of the site cites: the documents whose archived copies it serves."""
    wanted = {st.url for rec in data.recommendations for said in rec.statements.values() for st in said}
    wanted |= {rec.source_url for rec in data.recommendations if rec.source_url}
    wanted |= {u.source_url for u in data.unresolved if u.source_url}
    if digest is not None:
        wanted |= {row.source_url for rows in [digest.rows, *digest.recent.values()] for row in rows if row.source_url}
    return wanted


def write_captures(con: duckdb.DuckDBPyConnection, site_dir: Path, *, digest: Digest | None = None,
                   archive_dir: Path | None = None) -> dict[str, Stored]:
    """Only the archived copies (site/captures/), so the exports written next can link to them before
    write_briefing renders the pages (which copy those exports into site/downloads/); returns url -> its
    copy, for write_briefing. Copies made by an earlier run from the same capture are kept, not made again
    (site/capture_manifest.py)."""
    return sync_captures(con, archive_dir, _cited(load_site_data(con), digest), site_dir)


@dataclass(frozen=True)
class Briefing:
    """Everything the site shows, loaded once: render_briefing builds every page from this alone."""

    data: SiteData
    digest: Digest | None
    archived: dict[str, Stored]  # publication url -> its archived copy
    unhealthy: list[HealthRow]  # sources whose latest check failed
    checked: int  # how many sources were checked
    downloads: tuple[str, ...]  # the exported files site/downloads/ carries
    site_url: str = ""  # TRACKER_SITE_URL ("" : links stay relative)
    min_confidence: float = DEFAULT_MIN_CONFIDENCE  # TRACKER_MIN_CONFIDENCE in force
    corrections_email: str = ""  # TRACKER_CORRECTIONS_EMAIL ("": "Report an error" offers the CSV row only)
    feed_changes: list[Change] = field(default_factory=list)  # what the feeds list, newest first
    history: list[VersionProgress] = field(default_factory=list)  # the kept versions' figures, oldest first
    accuracy: Accuracy = field(default_factory=load_accuracy)  # the measured scores (publish/accuracy.toml)


def load_briefing(con: duckdb.DuckDBPyConnection, *, digest: Digest | None = None,
                  archived: dict[str, Stored] | None = None, exports_dir: Path | None = None,
                  site_url: str = "", min_confidence: float = DEFAULT_MIN_CONFIDENCE,
                  published_dir: Path | None = None, corrections_email: str = "",
                  history_cache: Path | None = None) -> Briefing:
    """Read what the site shows from a published warehouse (and the exports folder, and the versions kept in
    published_dir); `archived` is what write_captures wrote; `history_cache` keeps the older versions' figures."""
    data = load_site_data(con)
    unhealthy, checked = unhealthy_sources(con)
    return Briefing(data=data, digest=digest, archived=archived or {}, unhealthy=unhealthy, checked=checked,
                    downloads=download_names(exports_dir), site_url=site_url, min_confidence=min_confidence,
                    history=load_history(con, data.figures, published_dir, history_cache),
                    feed_changes=load_feed_changes(con, data.published_at), corrections_email=corrections_email)


def render_briefing(briefing: Briefing) -> dict[str, str]:
    """Every page of the site, path inside site/ -> HTML, from the Briefing alone (no database, no files);
    index.html last."""
    data = briefing.data
    ctx = Context(
        archived=briefing.archived,
        citations=data.citations,
        names={r.review_id: r.name for r in data.reviews},
        pages=frozenset(rec.key for rec in data.recommendations),
        downloads=briefing.downloads,
        as_at=as_at(data),
        stale_cutoff=data.stale_cutoff,
        site_url=briefing.site_url,
        corrections_email=briefing.corrections_email,
    )
    pages = {rec.page_name: recommendation_page(rec, data.review(rec.review_id), ctx) for rec in data.recommendations}
    pages["summary.html"] = summary_page(data, briefing.digest, briefing.unhealthy, ctx)
    pages.update(feed_pages(data, briefing.feed_changes, ctx))
    pages[PROGRESS] = progress_page(data, briefing.history, ctx)
    pages["methodology.html"] = methodology_page(ctx, briefing.min_confidence, briefing.accuracy)
    pages["index.html"] = index_page(data, briefing.digest, briefing.unhealthy, briefing.checked, ctx)
    return pages


def write_briefing(
    con: duckdb.DuckDBPyConnection,
    site_dir: Path,
    data_as_of: str | None = None,
    *,
    digest: Digest | None = None,
    archive_dir: Path | None = None,
    exports_dir: Path | None = None,
    archived: dict[str, Stored] | None = None,
    site_url: str = "",
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    published_dir: Path | None = None,
    corrections_email: str = "",
) -> Path:
    """Load, render and write the site from a published warehouse connection; returns site/index.html.

    exports_dir: the folder of CSV files and tracker.xlsx this run exported, copied into site/downloads/.
    archived: what write_captures returned this run; without it the captures are written first.
    site_url: where the site is served (TRACKER_SITE_URL), for permalinks and the links "download this view" writes.
    min_confidence: the TRACKER_MIN_CONFIDENCE the version was made with, which the methodology page states.
    published_dir: the kept versions, for progress over time (without it, the one version `con` reads).
    corrections_email: TRACKER_CORRECTIONS_EMAIL, where "Report an error" also offers to send the row."""
    if archived is None:
        archived = write_captures(con, site_dir, digest=digest, archive_dir=archive_dir)
    briefing = load_briefing(con, digest=digest, archived=archived, exports_dir=exports_dir, site_url=site_url,
                             min_confidence=min_confidence, published_dir=published_dir,
                             corrections_email=corrections_email, history_cache=site_dir / HISTORY_CACHE)
    pages = render_briefing(briefing)
    site_dir.mkdir(parents=True, exist_ok=True)
    copy_downloads(exports_dir, briefing.downloads, site_dir)
    captures_dir = site_dir / "captures"
    captures_dir.mkdir(exist_ok=True)
    for name, text in pages.items():
        _write(site_dir / name, text)
    prune(captures_dir, {name for copy in archived.values() for name in copy.names})
    prune(site_dir / "recommendations", {Path(rec.page_name).name for rec in briefing.data.recommendations})
    prune(site_dir / FEEDS_DIR, {Path(name).name for name in pages if name.startswith(FEEDS_DIR + "/")})
    return site_dir / "index.html"
