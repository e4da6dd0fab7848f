"""`tracker evaluate`: score the rule-made evidence against a labelled set.

Two forms. A labels CSV is scored against an existing warehouse (only the documents it names are
judged). A labelled *set* folder (docs/developers/evaluation.md) is scored from scratch: a
throwaway TRACKER_HOME gets the bundled sample archive (which supplies every review's recommendation texts)
plus the set's documents, the offline pipeline runs, and every document the set lists is judged,
so a page that must yield nothing counts against precision when it yields something. Layout
documents (`layout_of`) are parsed alone and their recommendations compared with the set's
`recommendations.csv`.
"""

from __future__ import annotations

import csv
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from tracker.errors import TrackerError
from tracker.warehouse.db import connect, has_table
from tracker.items import Capture
from tracker.samplegen import LATIN1, file_bytes

Key = tuple[str, str, int, str, str]  # url, review_id, number, axis, status
SAMPLE_WARC = Path(__file__).resolve().parent.parent / "sample" / "archive" / "sample.warc.gz"


@dataclass
class Score:
    labelled: int
    found: int
    matched: int
    misses: list[Key] = field(default_factory=list)  # labelled, not found
    extras: list[Key] = field(default_factory=list)  # found, not labelled

    @property
    def recall(self) -> float:
        return self.matched / self.labelled if self.labelled else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0


@dataclass(frozen=True)
class SetDocument:
    path: Path
    url: str
    source: str
    content_type: str
    published: date | None
    fetched_at: datetime
    layout_of: str | None = None
    layout: str = ""


@dataclass
class LayoutResult:
    url: str
    review_id: str
    layout: str
    expected: int
    found: int
    exact: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.found == self.expected == self.exact


@dataclass
class SetResult:
    score: Score
    documents: int
    unresolved: int
    layouts: list[LayoutResult] = field(default_factory=list)
    quotes: dict[Key, str] = field(default_factory=dict)  # a quote for each extra, and what was found for each miss
    silent: int = 0  # documents with no labels: they must yield nothing
    silent_broken: list[str] = field(default_factory=list)  # ... and those that yielded evidence all the same
    by_basis: dict[str, tuple[int, int]] = field(default_factory=dict)  # basis -> (rows found, of which labelled)
    settleable: int = 0  # unresolved statements whose status a label says the rules should have settled
    by_family: dict[str, tuple[int, int]] = field(default_factory=dict)  # layout family -> (labelled, found)


class SetError(TrackerError, ValueError):
    """A labels CSV or labelled set folder that cannot be read."""


def read_labels(path: Path) -> set[Key]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        try:
            return {
                (row["url"].strip(), row["review_id"].strip(), int(row["number"]), row["axis"].strip(),
                 row["status"].strip())
                for row in csv.DictReader(fh)
            }
        except (KeyError, ValueError, AttributeError) as exc:
            raise SetError(f"{path}: expected columns url, review_id, number, axis, status with a whole number "
                           f"({type(exc).__name__}: {exc})") from None


def evaluate(con: duckdb.DuckDBPyConnection, labels: set[Key], urls: set[str] | None = None) -> Score:
    """Compare rule evidence from the judged documents (by default, those the labels name)."""
    judged = urls if urls is not None else {k[0] for k in labels}
    found = {
        (url, rid, int(n), axis, status)
        for url, rid, n, axis, status in con.execute(
            "SELECT DISTINCT source_url, review_id, number, axis, status FROM status_evidence WHERE method = 'rule'"
        ).fetchall()
        if url in judged
    }
    matched = labels & found
    return Score(len(labels), len(found), len(matched), sorted(labels - found), sorted(found - labels))


def read_set(root: Path) -> tuple[list[SetDocument], set[Key], dict[tuple[str, str, int], str]]:
    """Every documents.toml, labels.csv and recommendations.csv under a set folder."""
    if not root.is_dir():
        raise SetError(f"no labelled set at {root}")
    docs: list[SetDocument] = []
    for manifest in sorted(root.rglob("documents.toml")):
        try:
            data = tomllib.loads(manifest.read_text(encoding="utf-8"))
            for entry in data.get("document", []):
                path = manifest.parent / "documents" / entry["file"]
                if not path.is_file():
                    raise SetError(f"{manifest}: no such document {entry['file']}")
                published = entry.get("published")
                published = date.fromisoformat(str(published)) if published else None
                stamp = str(entry.get("fetched_at", "2026-11-16T06:00:00+00:00"))
                fetched = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
                docs.append(SetDocument(path, entry["url"], entry.get("source", "other"), entry.get("content_type", ""),
                                        published, fetched, entry.get("layout_of"), entry.get("layout", "")))
        except SetError:
            raise
        except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:  # a malformed manifest
            raise SetError(f"{manifest}: {type(exc).__name__}: {exc}") from None
        except RecursionError:  # tomllib recurses per level: a manifest nested 100,000 deep
            raise SetError(f"{manifest}: TOML nested too deeply") from None
    labels: set[Key] = set()
    for path in sorted(root.rglob("labels.csv")):
        labels |= read_labels(path)
    expected: dict[tuple[str, str, int], str] = {}
    for path in sorted(root.rglob("recommendations.csv")):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                expected[(row["url"].strip(), row["review_id"].strip(), int(row["number"]))] = row["text"]
    if not docs and not labels:
        raise SetError(f"{root} has no documents.toml with [[document]] entries and no labels.csv")
    return docs, labels, expected


def evaluate_set(root: Path, base: tuple[Path, ...] = (SAMPLE_WARC,), home: Path | None = None,
                 min_confidence: float | None = None) -> SetResult:
    """Build a throwaway home from the base archive plus the set, run the offline pipeline, score.
    `min_confidence` overrides the published threshold (TRACKER_MIN_CONFIDENCE) for this run."""
    docs, labels, expected = read_set(root)
    with tempfile.TemporaryDirectory(prefix="tracker-eval-") as tmp:
        result = _evaluate_in(Path(home or tmp), docs, labels, expected, base, min_confidence)
    result.by_family = _by_family(read_families(root), result.score)
    return result


def read_families(root: Path) -> dict[Key, str]:
    """A set's families.csv (url, review_id, number, axis, status, family): the layout family of
    docs/developers/layouts.md that carries each labelled statement."""
    out: dict[Key, str] = {}
    for path in sorted(root.rglob("families.csv")):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                out[(row["url"].strip(), row["review_id"].strip(), int(row["number"]), row["axis"].strip(),
                     row["status"].strip())] = row["family"].strip()
    return out


def _by_family(families: dict[Key, str], score: Score) -> dict[str, tuple[int, int]]:
    missed = set(score.misses)
    out: dict[str, list[int]] = {}
    for key, family in families.items():
        counts = out.setdefault(family, [0, 0])
        counts[0] += 1
        counts[1] += key not in missed
    return {f: (n, found) for f, (n, found) in sorted(out.items(), key=lambda kv: -kv[1][0])}


def by_page_url(labels: set[Key], pairs: list[tuple[str, str | None]]) -> set[Key]:
    """Labels keyed by the URL the tracker records each document under: a label may name a document by the
    address it was captured from (a GOV.UK Content API URL), which is the same document as its page.
    `pairs`: (url, capture_url) of every publication."""
    page_of = {capture: url for url, capture in pairs if capture and capture != url}
    return {(page_of.get(k[0], k[0]), *k[1:]) for k in labels}


def _evaluate_in(home: Path, docs, labels, expected, base, min_confidence: float | None = None) -> SetResult:
    from tracker.fetch.archive import ArchiveWriter, import_warc
    from tracker.pipeline import process
    from tracker.settings import Settings

    env = {"TRACKER_HOME": str(home)}
    if min_confidence is not None:
        env["TRACKER_MIN_CONFIDENCE"] = str(min_confidence)
    settings = Settings.from_env(env)
    for warc in base:
        import_warc(settings.archive_dir, Path(warc), settings.max_record_bytes)
    status_docs = [d for d in docs if not d.layout_of]
    with ArchiveWriter(settings.archive_dir, prefix="eval") as writer:
        for doc in status_docs:
            writer.write_response(doc.url, file_bytes(doc.path, doc.published),
                                  headers=[("Content-Type", doc.content_type)],
                                  fetched_at=doc.fetched_at, source=doc.source, published=doc.published)
    process(settings)
    con = connect(settings.work_db, read_only=True)
    try:
        captured = {d.url for d in status_docs}
        pairs = con.execute("SELECT url, capture_url FROM publications").fetchall()
        labels = by_page_url(labels, pairs)
        labelled = {k[0] for k in labels}  # labels may also judge documents of the base archive
        judged = {url for url, capture in pairs if capture in captured or url in captured or url in labelled}
        score = evaluate(con, labels, judged)
        quotes = _explain(con, score)
        labelled_urls = {k[0] for k in labels}
        silent = sorted(u for u in judged if u not in labelled_urls)
        yielded = {u for (u,) in con.execute(
            "SELECT DISTINCT source_url FROM status_evidence WHERE method = 'rule'").fetchall()}
        queued = con.execute(
            "SELECT DISTINCT source_url, review_id, axis, status FROM unresolved_statements "
            "WHERE source_url IN (SELECT unnest(?))", [sorted(judged)]
        ).fetchall() if has_table(con, "unresolved_statements") else []
        by_basis = _by_basis(con, labels, judged)
    finally:
        con.close()
    missed = {(url, rid, axis, status) for url, rid, _, axis, status in score.misses}
    layouts = [_layout(d, expected) for d in docs if d.layout_of]
    return SetResult(score, len(status_docs), len(queued), layouts, quotes, len(silent),
                     [u for u in silent if u in yielded], by_basis, sum(1 for q in queued if q in missed))


def _by_basis(con: duckdb.DuckDBPyConnection, labels: set[Key], judged: set[str]) -> dict[str, tuple[int, int]]:
    """For each basis, the rule rows it made on the judged documents and how many of them a label holds."""
    out: dict[str, list[int]] = {}
    for url, rid, n, axis, status, basis in con.execute(
            "SELECT DISTINCT source_url, review_id, number, axis, status, coalesce(basis, '') FROM status_evidence "
            "WHERE method = 'rule'").fetchall():
        if url in judged:
            counts = out.setdefault(basis, [0, 0])
            counts[0] += 1
            counts[1] += (url, rid, int(n), axis, status) in labels
    return {b: (found, right) for b, (found, right) in sorted(out.items())}


def _explain(con: duckdb.DuckDBPyConnection, score: Score) -> dict[Key, str]:
    out = {}
    for key in score.extras:
        url, rid, n, axis, status = key
        row = con.execute("SELECT quote FROM status_evidence WHERE source_url = ? AND review_id = ? AND number = ? "
                          "AND axis = ? AND status = ? LIMIT 1", [url, rid, n, axis, status]).fetchone()
        out[key] = row[0] if row else ""
    for key in score.misses:
        url, rid, n, axis, _ = key
        rows = con.execute("SELECT status, quote FROM status_evidence WHERE source_url = ? AND review_id = ? "
                           "AND number = ? AND axis = ?", [url, rid, n, axis]).fetchall()
        out[key] = "; ".join(f"found {s}: {q}" for s, q in rows) or "nothing found on this axis"
    return out


def _norm(text: str) -> str:
    return " ".join(text.translate(LATIN1).split()).strip().rstrip(".").lower()


def _layout(doc: SetDocument, expected: dict[tuple[str, str, int], str]) -> LayoutResult:
    """A review document parsed alone: are its recommendations, count and texts, what the set says?"""
    from tracker.extract.recommendations import extract_recommendations
    from tracker.registry import load_reviews
    from tracker.sources import parse_capture

    review = next(r for r in load_reviews() if r.review_id == doc.layout_of)
    capture = Capture(doc.url, doc.fetched_at, 200, doc.content_type, file_bytes(doc.path, doc.published),
                      source=doc.source, published_hint=doc.published)
    pub = parse_capture(capture)
    recs = {r.number: r.text for r in extract_recommendations(pub, review)}
    want = {n: t for (url, rid, n), t in expected.items() if rid == doc.layout_of and url in (doc.url, pub.url)}
    exact = sum(1 for n, t in want.items() if n in recs and _norm(recs[n]) == _norm(t))
    problems = [f"#{n}: expected {t[:60]!r}, got {recs.get(n, '(missing)')[:60]!r}"
                for n, t in sorted(want.items()) if n not in recs or _norm(recs[n]) != _norm(t)]
    problems += [f"#{n}: not a recommendation of this layout" for n in sorted(set(recs) - set(want))]
    return LayoutResult(doc.url, doc.layout_of, doc.layout, len(want), len(recs), exact, problems)
