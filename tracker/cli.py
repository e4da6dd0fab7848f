"""The `tracker` command line: ingest, run, status, export and archive helpers.

Each command imports the part of the library it uses inside its own function: `tracker --help` and a
quick `tracker sql` or `tracker watch list` then never load lxml, PDFium or pyarrow.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
from datetime import date
from pathlib import Path

import click

from tracker.errors import TrackerError
from tracker.parse.text import printable
from tracker.settings import SOURCES, WATCHLIST, Settings


class TrackerGroup(click.Group):
    """Turns an expected failure (a TrackerError) into one line on stderr and its exit code.

    Exit codes: 0 ok; 1 an expected failure (bad input, a busy lock, nothing published yet); 2 a
    usage error (click's own); 3 `tracker run` published, but a source looks unhealthy. Anything
    else is a bug and keeps its traceback.
    """

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TrackerError as exc:
            click.echo("error: " + " ".join(str(exc).split()), err=True)
            sys.exit(exc.exit_code)


_CANNOT_WRITE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.ENOTDIR,
                 errno.EISDIR, errno.ENAMETOOLONG}


def writable_home(settings: Settings) -> Settings:
    """Settings whose TRACKER_HOME can be written (or created); checked without writing anything."""
    existing = settings.home
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        where = "" if existing == settings.home else f" ({existing} is not a writable folder)"
        raise TrackerError(f"TRACKER_HOME {settings.home} is not writable{where}")
    return settings


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}")


def _as_of(ctx, param, value):
    """A file stays a file; anything else must be a date, malformed exactly as for --since (a usage error)."""
    if value is None:
        return None
    from tracker.warehouse.versions import as_of_names_a_file

    if as_of_names_a_file(value):
        return value
    try:
        _date(ctx, param, value)
    except click.BadParameter as exc:
        raise click.BadParameter(f"{exc.message}, a version `tracker versions` lists, or a published file") from exc
    return value


def _sources(ctx, param, value):
    if not value:
        return ()
    names = tuple(s.strip() for s in value.split(",") if s.strip())
    unknown = [s for s in names if s not in (*SOURCES, WATCHLIST)]
    if unknown:
        raise click.BadParameter(f"unknown source(s) {', '.join(unknown)}; choose from "
                                 f"{', '.join((*SOURCES, WATCHLIST))}")
    return names


@click.group(cls=TrackerGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr, with detail for every stage of a run.")
@click.version_option(package_name="nhs-leadership-tracker")
@click.pass_context
def cli(ctx, verbose):
    """Track NHS leadership reviews' recommendations and what has been decided and done about each.

    All state lives under $TRACKER_HOME (default ./var).
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Settings.from_env()


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--url", required=True, help="The URL the document is recorded as fetched from.")
@click.option("--source", type=click.Choice([*SOURCES, "other"]), help="Publisher (default: from the URL's host).")
@click.option("--published", callback=_date, help="Publication date, YYYY-MM-DD (not in the future, not before 1990).")
@click.pass_obj
def ingest(settings, file, url, source, published):
    """Record a local HTML, PDF or GOV.UK JSON file in the archive as if fetched from URL.

    \b
    Example: tracker ingest report.pdf --url https://www.gov.uk/x.pdf --source dhsc --published 2019-02-06
    """
    from tracker.ingest import check_url, ingest_file

    url = check_url(url)
    path = ingest_file(writable_home(settings), file, url, source, published)
    click.echo(f"recorded {url} in {path}")


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def headline(status_changes: int, unhealthy: int) -> str:
    """The week's headline: '4 status changes, 1 unhealthy source'."""
    return f"{_plural(status_changes, 'status change')}, {_plural(unhealthy, 'unhealthy source')}"


@cli.command()
@click.option("--offline", is_flag=True, help="No network I/O: process what the archive holds.")
@click.option("--sources", callback=_sources,
              help=f"Comma-separated subset: {','.join((*SOURCES, WATCHLIST))} (default: all, and the watchlist when "
                   "it has pages).")
@click.option("--since", callback=_date, help="Discover only publications since YYYY-MM-DD.")
@click.option("--scheduled", is_flag=True,
              help="This is the weekly run (what cron passes): it starts a new week in the change digest.")
@click.pass_obj
def run(settings, offline, sources, since, scheduled):
    """Run every stage: discover and fetch, parse, extract, load, publish, export.

    Ends by saying where the briefing and the exports are, and the week's headline. Each stage ends in a
    line on stderr (on a terminal parsing and fetching draw a progress bar); `tracker -v run` adds detail.
    Exits 3 (after publishing) when a source looks unhealthy, e.g. pages lost their titles or dates.
    Changes found are added to the change log; a run that finds nothing new leaves the week's digest as it was.

    \b
    Example: tracker run --offline
    """
    from tracker import progress
    from tracker.pipeline import run as run_pipeline

    progress.report_to(sys.stderr, verbose=click.get_current_context().find_root().params.get("verbose", False))
    summary = run_pipeline(writable_home(settings), offline=offline, sources=sources, since=since, scheduled=scheduled)
    click.echo(
        f"run {summary.run_id}: {summary.parsed} parsed, {summary.skipped_unchanged} unchanged, "
        f"{summary.errors} errors, {summary.recommendations} recommendations, {summary.evidence} evidence rows"
    )
    click.echo(f"published {summary.published}")
    for note in summary.notes:  # crawl notes quote scraped links
        click.echo(printable(note))
    click.echo(f"briefing {Path(summary.outputs['site']).resolve()}")
    click.echo(f"exports  {Path(summary.outputs['latest']).resolve()}{os.sep} (this run's copy: "
               f"{Path(summary.outputs['exports']).resolve()}{os.sep})")
    click.echo(f"this week: {headline(summary.outputs['status_changes'], len(summary.unhealthy))}")
    if summary.unhealthy:
        for message in summary.unhealthy:
            click.echo(f"SOURCE HEALTH: {printable(message)}", err=True)
        sys.exit(3)  # published, but a source needs attention: never a quiet week by accident


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the same account as JSON, for scripts.")
@click.pass_obj
def status(settings, as_json):
    """Show what the published warehouse holds: per review (one column per status) and per source.

    \b
    Example: tracker status --json
    """
    if as_json:
        import json

        from tracker.query import jsonable
        from tracker.report import NothingPublished, status_data

        data = status_data(settings)
        click.echo(printable(json.dumps(jsonable(data), ensure_ascii=False, indent=1), multiline=True))
        if data["version_file"] is None and not settings.warehouse.exists():
            raise NothingPublished(f"no published warehouse yet at {settings.warehouse}: run `tracker run --offline`")
        return
    import shutil

    from tracker.report import status_text

    # The terminal's width, or COLUMNS; into a file or a pipe with neither, lines stay whole for grep.
    width = shutil.get_terminal_size(fallback=(0, 0)).columns
    # rows stored before their text was made printable, too
    click.echo(printable(status_text(settings, width or None), multiline=True))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON, for scripts.")
@click.pass_obj
def versions(settings, as_json):
    """List the published versions kept in published/: when each was published, by which run, which is current.

    Any of them can be exported or queried as it was published: tracker export --as-of, tracker sql --as-of.

    \b
    Example: tracker versions
    """
    if as_json:
        import json

        from tracker.query import jsonable
        from tracker.report import versions_data

        click.echo(json.dumps(jsonable(versions_data(settings)), ensure_ascii=False, indent=1))
        return
    from tracker.report import versions_text

    click.echo(versions_text(settings))


_AS_OF_HELP = ("DATE (YYYY-MM-DD: the last version published on or before that day, UTC), VERSION (a name "
               "`tracker versions` lists) or FILE (a published version); default: the current warehouse.")


@cli.command()
@click.argument("query", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="How results are printed.")
@click.option("--as-of", "as_of", metavar="DATE|VERSION|FILE", callback=_as_of, help=_AS_OF_HELP)
@click.pass_obj
def sql(settings, query, fmt, as_of):
    """Query the published warehouse read-only with the project's own DuckDB; no query: an interactive prompt.

    Nothing can write the warehouse or any file from here (INSERT, CREATE, COPY TO fail with one line);
    temporary tables work. A run can publish meanwhile: the open prompt keeps the version it opened.

    \b
    Example: tracker sql "SELECT review_id, pct_implemented FROM review_progress" --format csv
    """
    from tracker import query as q
    from tracker.warehouse.versions import version_as_of

    path = version_as_of(settings, as_of)
    con = q.open_read_only(path)
    out = q.output_for(sys.stdout, fmt)
    try:
        if query is None or query == "-":
            if q.interactive(con, q.banner(path, con), fmt, sys.stdin, out):
                sys.exit(1)
        else:
            q.run_sql(con, query, fmt, out)
        sys.stdout.flush()
    except BrokenPipeError:  # `tracker sql ... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        con.close()


@cli.command()
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Folder to write CSVs into.")
@click.option("--as-of", "as_of", metavar="DATE|VERSION|FILE", callback=_as_of,
              help=_AS_OF_HELP + " Exported as it was published.")
@click.option("--version", "version", type=click.Path(exists=True, path_type=Path), hidden=True,
              help="Deprecated: use --as-of FILE.")
@click.option("--since", callback=_date,
              help="changes.csv lists the changes detected since YYYY-MM-DD (default: the week's).")
@click.pass_obj
def export(settings, out_dir, as_of, version, since):
    """Write the progress tables as CSV, Parquet and one Excel workbook, and the change digest.

    changes.csv holds the week's changes (since the weekly run before the latest one), or those
    detected since --since; changes_last_7_days.csv and changes_last_30_days.csv the recent ones.
    `tracker versions` lists the versions --as-of can name.

    \b
    Example: tracker export --out ~/briefing/tables --as-of 2026-11-01
    """
    from tracker.publish.exports import export_to
    from tracker.warehouse.versions import as_of_names_a_file, open_published, version_as_of

    if version is not None:
        if as_of is not None:
            raise click.UsageError("give --as-of only (--version FILE is its deprecated old name)")
        click.echo("warning: --version FILE is deprecated (it clashes with tracker --version): use --as-of FILE",
                   err=True)
        as_of = str(version)
    source = version_as_of(settings, as_of)
    if out_dir.exists() and not out_dir.is_dir():
        raise TrackerError(f"{out_dir} is a file: --out takes a folder")
    with open_published(source) as con:
        if as_of is not None and not as_of_names_a_file(as_of):  # a date: which version it chose
            click.echo(f"exporting {_version_line(source)}, the last published on or before {as_of}", err=True)
        try:
            written = export_to(con, out_dir, settings.sql_dir, settings.published_dir, since,
                                site_dir=settings.site_dir, site_url=settings.site_url)
        except OSError as exc:
            if exc.errno not in _CANNOT_WRITE:
                raise
            part = " (a part of that path is a file)" if exc.errno == errno.ENOTDIR else ""
            raise TrackerError(f"cannot write the exports into {out_dir}: {exc.strerror}{part}") from exc
        for path in written:
            click.echo(str(path))


def _version_line(path: Path) -> str:
    """'version tracker-20261116T060000.duckdb (published 2026-11-16 06:00:00 UTC)'."""
    from tracker.warehouse.versions import version_time

    return f"version {path.name} (published {version_time(path):%Y-%m-%d %H:%M:%S} UTC)"


@cli.command()
@click.argument("labels", type=click.Path(exists=True, path_type=Path))
@click.option("--warehouse", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="With a labels CSV: a published file (default: the current warehouse).")
@click.option("--base", "bases", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="With a set folder: WARC files loaded before the set (default: the bundled sample).")
@click.option("--min-recall", type=float, default=None, help="Exit 1 when recall is below this.")
@click.option("--min-precision", type=float, default=None, help="Exit 1 when precision is below this.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=None,
              help="Publish only statements at least this sure (default: TRACKER_MIN_CONFIDENCE); set folders only.")
@click.option("--by-basis", is_flag=True, help="Precision of the rows made on each basis (how targets were found).")
@click.option("--by-family", is_flag=True, help="Recall per layout family (docs/developers/layouts.md), where the set "
                                               "has a families.csv.")
@click.option("--quiet", is_flag=True, help="Scores only, without the list of misses and extras.")
@click.option("--explain", is_flag=True,
              help="With a set folder: the quote behind each extra, what was found for each miss.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With a set folder: build the home here and keep it (to query its work.duckdb).")
@click.pass_obj
def evaluate(settings, labels, warehouse, bases, min_recall, min_precision, min_confidence, by_basis, by_family, quiet,
             explain, keep):
    """Score rule-made evidence against labels: a labelled set folder, or a labels CSV.

    A set folder (documents.toml, documents/, labels.csv; see docs/developers/evaluation.md) is run
    from scratch in a throwaway home over the bundled sample, and every document it lists is judged.
    A CSV (url, review_id, number, axis, status) is scored against the published warehouse, and
    only the documents it names are judged.

    \b
    Example: tracker evaluate tests/evaluation/blind --explain
    """
    if labels.is_dir():
        result = _evaluate_set_folder(labels, bases, keep, min_confidence)
        score = result.score
        click.echo(f"set {labels}: {result.documents} documents")
    else:
        result = None
        score = _evaluate_published(labels, warehouse or settings.warehouse)
    click.echo(f"labelled {score.labelled}, found {score.found}, matched {score.matched}")
    click.echo(f"recall {score.recall:.3f}  precision {score.precision:.3f}")
    layouts_ok = _echo_set_result(result, quiet) if result is not None else True
    if by_basis and result is not None:
        for basis, (found, right) in result.by_basis.items():
            click.echo(f"basis {basis or '(none)'}: {found} rows, {right} labelled, "
                       f"precision {right / found if found else 1.0:.3f}")
    if by_family and result is not None:
        for family, (labelled, found) in result.by_family.items():
            click.echo(f"family {family}: {labelled} labelled, {found} found, recall {found / labelled:.3f}")
    if not quiet:
        _echo_misses_and_extras(score, result, explain)
    too_low = (min_recall is not None and score.recall < min_recall) or \
        (min_precision is not None and score.precision < min_precision)
    if too_low or not layouts_ok:
        sys.exit(1)


def _evaluate_set_folder(labels: Path, bases, keep: Path | None, min_confidence: float | None = None):
    from tracker import evaluate as ev

    if keep is not None and keep.exists() and any(keep.iterdir()):
        raise TrackerError(f"{keep} is not empty")
    return ev.evaluate_set(labels, tuple(bases) or (ev.SAMPLE_WARC,), home=keep, min_confidence=min_confidence)


def _evaluate_published(labels: Path, source: Path):
    from tracker import evaluate as ev
    from tracker.warehouse.versions import open_published

    if not source.exists():
        raise TrackerError(f"no published warehouse at {source}: run `tracker run` first")
    with open_published(source) as con:
        return ev.evaluate(con, ev.read_labels(labels))


def _echo_set_result(result, quiet: bool) -> bool:
    """A set's unresolved count, silent pages and layouts; whether every layout was read right."""
    click.echo(f"unresolved statements (shown to analysts, not guessed): {result.unresolved}, "
               f"of which a label says the rules should have settled: {result.settleable}")
    click.echo(f"pages that must yield nothing: {result.silent}, "
               f"of which yielded evidence: {len(result.silent_broken)}")
    for url in result.silent_broken:
        click.echo(f"    {url}")
    layouts_ok = True
    for lay in result.layouts:
        layouts_ok &= lay.ok
        mark = "ok" if lay.ok else "WRONG"
        click.echo(f"layout {lay.review_id} {lay.layout}: {lay.found} found, {lay.expected} expected, "
                   f"{lay.exact} texts exact  {mark}")
        if not quiet:
            for problem in lay.problems:
                click.echo(f"    {problem}")
    return layouts_ok


def _echo_misses_and_extras(score, result, explain: bool) -> None:
    for title, rows in (("missed (labelled, not found)", score.misses), ("extra (found, not labelled)", score.extras)):
        if rows:
            click.echo(f"{title}:")
            for key in rows:
                url, review_id, number, axis, status = key
                click.echo(f"  {review_id} #{number} {axis}={status}  {url}")
                if explain and result is not None:
                    click.echo(f"      {result.quotes.get(key, '')[:300]}")


@cli.command("import-warc")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def import_warc_cmd(settings, files):
    """Copy WARC files (e.g. the bundled sample) into the archive; importing twice is harmless.

    Every file is read through first: if one is not a WARC file, nothing is imported.

    \b
    Example: tracker import-warc sample/archive/sample.warc.gz
    """
    from tracker.fetch.archive import check_warc, import_warc

    for file in files:
        check_warc(file, settings.max_record_bytes)
    writable_home(settings)
    for file in files:
        click.echo(f"imported {import_warc(settings.archive_dir, file, settings.max_record_bytes)}")


@cli.command()
@click.argument("url")
@click.option("--reason", help="Why the document is withdrawn (required, unless --undo).")
@click.option("--by", help="Who withdraws it (default: the login name).")
@click.option("--undo", is_flag=True, help="Lift an earlier withdrawal: the next run reads the document again.")
@click.pass_obj
def forget(settings, url, reason, by, undo):
    """Withdraw a document: from the next run on, its publication, evidence, unresolved statements and
    any recommendations read from it leave the warehouse. Its bytes stay in the archive, and the
    withdrawal (who, when, why) is kept and listed by `tracker status`. Capturing the URL again does
    not lift it; --undo does.

    \b
    Example: tracker forget https://nhsproviders.org/news-blogs/blogs/winter-planning-for-trusts --reason "retracted"
    """
    from tracker.withdrawals import forget as withdraw
    from tracker.withdrawals import restore

    writable_home(settings)
    if undo:
        old = restore(settings, url, by)
        click.echo(f"restored {url} (withdrawn by {old.withdrawn_by} on {old.withdrawn_at:%Y-%m-%d}); "
                   "the next run reads it again")
        return
    if reason is None:
        raise click.UsageError("--reason TEXT is required: say why the document is withdrawn")
    done = withdraw(settings, url, reason, by)
    click.echo(f"withdrew {url} (by {done.withdrawn_by}, {done.withdrawn_at:%Y-%m-%d %H:%M} UTC); "
               "it leaves the warehouse on the next run")


# --- the analyst's watchlist and registry of reviews ---------------------------------------------


@cli.group()
def watch():
    """Pages fetched every live run (`tracker run`), kept in $TRACKER_HOME/watchlist.toml.

    A watched page is fetched politely like any source (robots.txt, per-host delay, the address
    guard), archived and read by the generic adapter; its host is allowed for that URL only.
    `tracker status` shows each page's last fetch, change and health.
    """


@watch.command("add")
@click.argument("url")
@click.option("--note", help="Why it is watched (shown by `tracker watch list` and `tracker status`).")
@click.pass_obj
def watch_add(settings, url, note):
    """Watch a page; adding it again changes its note.

    \b
    Example: tracker watch add https://www.england.nhs.uk/leadership/progress/ --note "NHS England's progress page"
    """
    from tracker.watchlist import add_page

    page, new = add_page(writable_home(settings), url, note)
    click.echo(f"{'watching' if new else 'already watched'}: {page.url}" + (f" ({page.note})" if page.note else "")
               + ("; the next live `tracker run` fetches it" if new else ""))


@watch.command("list")
@click.pass_obj
def watch_list(settings):
    """The watched pages, with their notes.

    \b
    Example: tracker watch list
    """
    from tracker.report import watchlist_table

    click.echo(watchlist_table(settings))


@watch.command("remove")
@click.argument("url")
@click.pass_obj
def watch_remove(settings, url):
    """Stop watching a page (what was archived from it stays in the archive and the warehouse).

    \b
    Example: tracker watch remove https://www.england.nhs.uk/leadership/progress/
    """
    from tracker.watchlist import remove_page

    page = remove_page(writable_home(settings), url)
    click.echo(f"no longer watching: {page.url}")


@cli.command()
@click.pass_obj
def reviews(settings):
    """The tracked reviews: the built-in registry with yours merged over it, checked.

    Yours is $TRACKER_HOME/reviews.toml, or the file TRACKER_REGISTRY names (schema: "Adding or
    changing a review" in docs/analysts/command-line.md). A bad file fails with one line naming the
    line and the field.

    \b
    Example: tracker reviews
    """
    from tracker.report import reviews_table

    click.echo(reviews_table(settings))


@cli.command("build-sample", hidden=True)
@click.option("--out", "out_dir", default="sample/archive", type=click.Path(path_type=Path))
def build_sample(out_dir):
    """Developer tool: rebuild the bundled sample WARC from sample/manifest.toml (needs fpdf2).

    \b
    Example: tracker build-sample --out sample/archive
    """
    from tracker.samplegen import build_sample_archive

    for old in out_dir.glob("*.warc.gz"):
        old.unlink()
    path = build_sample_archive(out_dir)
    target = path.with_name("sample.warc.gz")
    path.rename(target)
    click.echo(str(target))


def main() -> None:
    cli(prog_name="tracker")


if __name__ == "__main__":
    main()
