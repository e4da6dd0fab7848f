"""The extract stage: each review's recommendations from its own documents, then status evidence from
every relevant document, incrementally (a document is re-read only when something it depends on changed).

Two steps with one result between them: `extract()` reads and decides, writing nothing, and returns an
`Extraction` (the rows for every table, the failures, the checks); `write_extraction()` writes it in one
transaction. The analyst's corrections are applied in the first step, to the rules' rows as they will
stand (the cached rows of unchanged documents plus the fresh ones), so the write step decides nothing
but the vocabulary check, which is SQL over the rows it has just written."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

import tracker.extract as rules_package
from tracker.corrections import Correction, apply_corrections, read_corrections
from tracker.extract.recommendations import extract_recommendations
from tracker.extract.relevance import relevance
from tracker.extract.reviews import ReviewNamer
from tracker.extract.status import StatusExtractor
from tracker.faults import checkpoint
from tracker.items import Block, Evidence, Publication, Recommendation, Review, Unresolved
from tracker.speakers import publisher_of
from tracker.registry import linked_to_review, owning_review, registry_digest, reviews_for
from tracker.settings import Settings
from tracker.stages.budget import OverBudget, time_budget
from tracker.stages.forked import forked_map
from tracker.stages.sandbox import TIME
from tracker.warehouse import load
from tracker.warehouse.load import ProcessingError
from tracker.warehouse.rows import insert, select, update
from tracker.withdrawals import withdrawn_urls

log = logging.getLogger(__name__)

# Bump when extraction rules change, so every document is read again.
EXTRACTOR_VERSION = 6
# Fewer stale documents than this are read in this process: forking costs more than it saves.
MIN_TO_SHARE = 8


def read_blocks(con: duckdb.DuckDBPyConnection, url: str) -> list[Block]:
    rows = con.execute(
        "SELECT kind, text, level, label, page, role FROM document_blocks WHERE url = ? ORDER BY seq", [url]
    ).fetchall()
    return [Block(kind, text, level or 0, label or "", page, role) for kind, text, level, label, page, role in rows]


def iter_blocks(con: duckdb.DuckDBPyConnection, urls: list[str], chunk: int = 200):
    """Blocks of each URL in turn (same order as `urls`), read a chunk of documents per query."""
    for start in range(0, len(urls), chunk):
        part = urls[start : start + chunk]
        con.register("wanted_urls", pa.table({"url": part, "pos": list(range(len(part)))}))
        # by Arrow, column by column: a row at a time through the DB-API cost the parent a second per 2,000 pages
        table = con.sql(
            """SELECT w.pos, b.kind, b.text, b.level, b.label, b.page, b.role
               FROM wanted_urls w LEFT JOIN document_blocks b ON b.url = w.url
               ORDER BY w.pos, b.seq"""
        ).to_arrow_table()
        con.unregister("wanted_urls")
        grouped: list[list[Block]] = [[] for _ in part]
        for pos, kind, text, level, label, page, role in zip(*(column.to_pylist() for column in table.columns)):
            if kind is not None:
                grouped[pos].append(Block(kind, text, level or 0, label or "", page, role))
        yield from grouped


def read_publications(con: duckdb.DuckDBPyConnection) -> list[Publication]:
    rows = con.execute(
        """SELECT url, source, title, published_on, document_type, parent_url, topics, content_sha256, authors
           FROM publications ORDER BY url"""
    ).fetchall()
    return [
        Publication(url=u, source=s, title=t or "", published_on=p, document_type=d or "", blocks=[],
                    parent_url=parent, topics=tuple(topics or ()), content_sha256=sha, authors=tuple(authors or ()))
        for u, s, t, p, d, parent, topics, sha, authors in rows
    ]


def _rules_digest() -> bytes:
    """The rules themselves (tracker/extract, this stage, the registry, who publishes what): editing a word in
    the lexicon re-reads every document."""
    h = hashlib.sha256()
    here = Path(__file__)
    for path in [*sorted(Path(rules_package.__file__).parent.glob("*.py")), here,
                 *(here.parents[1] / name for name in ("registry.py", "speakers.py"))]:
        h.update(path.name.encode() + path.read_bytes())
    return h.digest()


def _fingerprint(recs: list[Recommendation], reviews, min_confidence: float) -> str:
    h = hashlib.sha256(f"v{EXTRACTOR_VERSION} min{min_confidence!r}".encode())
    h.update(_rules_digest())
    h.update(registry_digest(reviews))  # the built-in registry and the analyst's, merged: editing either re-reads
    h.update(json.dumps(sorted((r.review_id, r.number, r.text) for r in recs)).encode())
    return h.hexdigest()


@dataclass
class Documents:
    """The publications as the rules see them: who publishes each, which review owns it, which are a
    review's own pages (they state recommendations, not their fate)."""

    pubs: list[Publication]
    publishers: dict  # url -> tracker.speakers.Publisher
    owners: dict[str, str | None]  # url -> review_id
    own_pages: set[str]


@dataclass(frozen=True)
class Relevance:
    """What publications learns about one document read for statements (updated by url)."""

    url: str
    review_id: str | None
    relevant: bool | None
    relevance_reason: str | None


@dataclass(frozen=True)
class ExtractionState:
    """One extraction_state row: a document read for statements, and what it was read against."""

    url: str
    content_sha256: str
    review_id: str | None
    fingerprint: str


@dataclass(frozen=True)
class QualityCheck:
    """One data_quality row."""

    review_id: str
    check_name: str
    passed: bool
    detail: str


@dataclass
class Statements:
    """What reading the changed documents for statements found."""

    evidence: list[Evidence] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    relevance: list[Relevance] = field(default_factory=list)


@dataclass
class Extraction:
    """Everything the extract stage decided, written by write_extraction in one transaction."""

    reviews: tuple[Review, ...]
    publishers: dict
    stale: list[str]  # urls read for statements afresh (their cached rule rows are replaced)
    statements: Statements
    states: list[ExtractionState]
    corrections: list[Correction]
    recommendations: list[Recommendation]
    evidence: list[Evidence]  # status_evidence: the rules' rows with the corrections applied
    failures: list[ProcessingError]  # ordinary errors, then limit breaches
    checks: list[QualityCheck]


def run_extract_stage(con: duckdb.DuckDBPyConnection, settings: Settings, summary) -> None:
    result = extract(con, settings)
    write_extraction(con, result)
    summary.errors += len(result.failures)
    summary.extracted = len(result.stale)
    summary.recommendations = len(result.recommendations)
    summary.evidence = len(result.evidence)
    summary.corrections_unmatched = sum(1 for c in result.corrections if not c.applied)


def extract(con: duckdb.DuckDBPyConnection, settings: Settings) -> Extraction:
    """Read and decide, writing nothing: recommendations from each review's own documents, statements from
    every document that changed (or whose review or rules did), the analyst's corrections applied."""
    reviews = reviews_for(settings)
    docs = read_documents(con, reviews)
    failures: list[ProcessingError] = []
    recs = _read_recommendations(con, docs, reviews, settings.extract_seconds, failures)

    corrections = read_corrections(settings.corrections_dir)
    withdrawn = withdrawn_urls(con)
    for c in corrections:
        if not c.problem and c.source_url and c.source_url in withdrawn:
            c.problem = "its source_url is withdrawn (tracker forget)"
    # Recommendations analysts added count for matching too; a throwaway copy keeps the real
    # corrections unmarked until they are applied to the evidence below.
    all_recs, _ = apply_corrections(copy.deepcopy(corrections), {r.review_id for r in reviews}, recs, [])
    known: dict[str, set[int]] = {}
    texts: dict[str, dict[int, str]] = {}
    for r in all_recs:
        known.setdefault(r.review_id, set()).add(r.number)
        texts.setdefault(r.review_id, {})[r.number] = r.text
    fingerprint = _fingerprint(all_recs, reviews, settings.min_confidence)

    state = {
        url: (sha, review_id, fp)
        for url, sha, review_id, fp in con.execute(
            "SELECT url, content_sha256, review_id, fingerprint FROM extraction_state"
        ).fetchall()
    }
    stale = [p for p in docs.pubs if state.get(p.url) != (p.content_sha256, docs.owners[p.url], fingerprint)]
    extractor = StatusExtractor(ReviewNamer(reviews), known, texts, settings.min_confidence)
    statements = _read_statements(con, stale, docs, extractor, settings.extract_seconds, failures,
                                  settings.workers)
    failed = {f.url for f in failures if f.breach is None}
    states = [ExtractionState(p.url, p.content_sha256, docs.owners[p.url], fingerprint)
              for p in stale if p.url not in failed]

    # The rules' rows as they will stand: the cached rows of unchanged documents, then the fresh ones.
    with _registered(con, "stale_urls", [p.url for p in stale]):
        kept = select(con, Evidence, "rule_evidence", "WHERE source_url NOT IN (SELECT url FROM stale_urls)")
    final_recs, evidence = apply_corrections(corrections, {r.review_id for r in reviews}, recs,
                                             kept + statements.evidence)
    failures.sort(key=lambda f: f.breach is not None)  # ordinary errors first, as they are found
    return Extraction(
        reviews=reviews, publishers=docs.publishers, stale=[p.url for p in stale], statements=statements,
        states=states, corrections=corrections, recommendations=final_recs, evidence=evidence, failures=failures,
        checks=_count_checks(reviews, known),
    )


def read_documents(con: duckdb.DuckDBPyConnection, reviews) -> Documents:
    pubs = read_publications(con)
    by_url = {p.url: p for p in pubs}
    parents: dict[str, Publication] = {}
    for pub_url, link_url in con.execute("SELECT publication_url, url FROM attachments").fetchall():
        if pub_url in by_url:
            parents.setdefault(link_url.rstrip("/"), by_url[pub_url])
    # GOV.UK names the organisation behind a page; its attachments are that organisation's too.
    publishers = {p.url: publisher_of(p.url, p.authors or getattr(parents.get(p.url.rstrip("/")), "authors", ()))
                  for p in pubs}
    owners = {}
    own_pages = set()
    for pub in pubs:
        review = owning_review(pub, reviews, parents)
        owners[pub.url] = review.review_id if review else None
        if review and own_document(pub, review, parents, publishers[pub.url]):
            own_pages.add(pub.url)
    return Documents(pubs, publishers, owners, own_pages)


def own_document(pub: Publication, review, parents: dict, publisher) -> bool:
    """A review's own document (it states recommendations, not their fate): its page, an attachment or
    child of it, or a PDF under its title that an official body published. An independent publisher's
    PDF under that title (an on-the-day briefing) is commentary, read for statements."""
    return linked_to_review(pub, review, parents) or (pub.document_type == "pdf" and publisher.kind != "independent")


def _read_recommendations(con: duckdb.DuckDBPyConnection, docs: Documents, reviews, budget: float,
                          failures: list[ProcessingError]) -> list[Recommendation]:
    """Each review's recommendations: the most any one of its own documents yields (a breach is held
    until the document's bytes change)."""
    held = load.held_breaches(con, "extract")
    recs: list[Recommendation] = []
    for review in reviews:
        best: list[Recommendation] = []
        for pub in (p for p in docs.pubs if docs.owners[p.url] == review.review_id):
            if held.get(pub.url) == pub.content_sha256:
                continue
            pub.blocks = read_blocks(con, pub.url)
            try:
                with time_budget(budget, "reading recommendations"):
                    found = extract_recommendations(pub, review)
            except OverBudget as exc:
                failures.append(_breach(pub, exc))
                continue
            except Exception as exc:  # one bad document never stops the run
                failures.append(_error(pub, exc))
                continue
            finally:
                pub.blocks = []
            if len(found) > len(best):
                best = found
        recs.extend(best)
    return recs


@dataclass
class _Read:
    """What reading one document for statements found (what crosses back from a forked child)."""

    relevance: Relevance
    evidence: list[Evidence]
    unresolved: list[Unresolved]
    failures: list[ProcessingError]


def _read_statements(con: duckdb.DuckDBPyConnection, stale: list[Publication], docs: Documents,
                     extractor: StatusExtractor, budget: float, failures: list[ProcessingError],
                     workers: int = 1) -> Statements:
    """Every stale document read for statements; in forked children when there are enough to share."""
    found = Statements()

    def read(pub: Publication) -> _Read:
        return _read_one(pub, docs, extractor, budget)

    def with_blocks():  # a copy per document, dropped once read: memory stays flat
        for pub, blocks in zip(stale, iter_blocks(con, [p.url for p in stale])):
            yield dataclasses.replace(pub, blocks=blocks)

    for result in forked_map(read, with_blocks(), workers if len(stale) > MIN_TO_SHARE else 1):
        found.relevance.append(result.relevance)
        found.evidence.extend(result.evidence)
        found.unresolved.extend(result.unresolved)
        failures.extend(result.failures)
    return found


def _read_one(pub: Publication, docs: Documents, extractor: StatusExtractor, budget: float) -> _Read:
    namer = extractor.namer
    relevant, reason, result = None, None, None
    failures: list[ProcessingError] = []
    try:
        with time_budget(budget, "reading statements"):
            body = " ".join(b.text for b in pub.blocks if b.role == "body")
            mentions = namer.mentions(pub.title + " \n " + body)
            relevant, reason = relevance(pub.title, pub.topics, body, docs.owners[pub.url],
                                         {rid for _, rid in mentions})
            # a review's own HTML pages (its landing and publication pages) can carry the response;
            # its report (a PDF) states recommendations, not their fate
            if relevant and (pub.url not in docs.own_pages or pub.document_type != "pdf"):
                result = _statements_of(pub, docs, extractor, mentions, failures)
    except OverBudget as exc:
        failures.append(_breach(pub, exc))
        result = None
    return _Read(Relevance(pub.url, docs.owners[pub.url], relevant, reason),
                 result.evidence if result is not None else [], result.unresolved if result is not None else [],
                 failures)


def _statements_of(pub: Publication, docs: Documents, extractor: StatusExtractor, mentions,
                   failures: list[ProcessingError]):
    doc_review = docs.owners[pub.url] or document_review(extractor.namer, pub.title, mentions)
    try:
        return extractor.read(pub, doc_review, named=bool(mentions), speaker=docs.publishers[pub.url].kind)
    except OverBudget:
        raise
    except Exception as exc:  # one bad document never stops the run
        failures.append(_error(pub, exc))
        return None


def _error(pub: Publication, exc: Exception) -> ProcessingError:
    return ProcessingError(pub.url, "extract", f"{type(exc).__name__}: {exc}")


def _breach(pub: Publication, exc: OverBudget) -> ProcessingError:
    return ProcessingError(pub.url, "extract", str(exc), None, pub.content_sha256, TIME)


def write_extraction(con: duckdb.DuckDBPyConnection, result: Extraction) -> None:
    """Write what extract() decided, in one transaction: a crash anywhere leaves the previous state."""
    con.execute("BEGIN TRANSACTION")
    try:
        load.sync_reviews(con, result.reviews)
        load.refresh_publishers(con, result.publishers)
        if result.stale:
            with _registered(con, "stale_urls", result.stale):
                con.execute("DELETE FROM rule_evidence WHERE source_url IN (SELECT url FROM stale_urls)")
                con.execute("DELETE FROM rule_unresolved WHERE source_url IN (SELECT url FROM stale_urls)")
                con.execute("DELETE FROM extraction_state WHERE url IN (SELECT url FROM stale_urls)")
            load.insert_rule_evidence(con, result.statements.evidence)
            load.insert_rule_unresolved(con, result.statements.unresolved)
            update(con, "publications", result.statements.relevance, key="url")
            insert(con, "extraction_state", result.states)
        load.replace_corrections(con, result.corrections)
        load.replace_recommendations(con, result.recommendations)
        load.replace_evidence(con, result.evidence)
        load.replace_unresolved(con)
        load.sync_vocabulary(con)
        # ordinary errors are found afresh every run; a breach stays until its document is read again
        read = result.stale + [f.url for f in result.failures if f.breach is not None]
        with _registered(con, "read_urls", read):
            con.execute("""DELETE FROM processing_errors WHERE stage = 'extract'
                           AND (breach IS NULL OR url IN (SELECT url FROM read_urls)
                                OR url NOT IN (SELECT url FROM publications))""")
        load.record_errors(con, result.failures)
        con.execute("DELETE FROM data_quality")
        insert(con, "data_quality", result.checks + _vocabulary_checks(con, result.reviews))
        checkpoint("extract")  # mid-transaction: a crash here must roll back to the previous state
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    # The write leaves the tables' indexes dirty in the buffer pool, where they cannot be evicted until a
    # checkpoint writes them out; under a small TRACKER_DUCKDB_MEMORY_LIMIT the next stage's writes would
    # find no room (source health's insert did, at 12 MB, with a large document's blocks stored).
    con.execute("CHECKPOINT")


_OTHER_TITLE = re.compile(r"\b(?:review|report|inquiry)\b", re.I)
# what a title may say before "review" without naming one: "Leadership review implementation update"
_GENERIC_TITLE = re.compile(
    r"^\W*(?:(?:the|an?|our|leadership|independent|government|national|annual|progress|rapid|final|interim|system|"
    r"nhs|management|workforce|policy|board|health|care|social|and|of|on|this|its|new)\s+)*"
    r"(?:review|report|inquiry)\b", re.I)


def document_review(namer: ReviewNamer, title: str, mentions: list[tuple[int, str]]) -> str | None:
    """The one tracked review a document is about: named in its title (by a name, or by its author's surname
    when the body names that review too), else the only one its body names. A title about another review
    ("Freedom to Speak Up review: progress") makes the document about that one, whatever it mentions in passing."""
    in_title = namer.only(title)
    if in_title:
        return in_title
    if namer.mentions(title):
        return None
    counts: dict[str, int] = {}
    for _, rid in mentions:
        counts[rid] = counts.get(rid, 0) + 1
    authors = namer.by_author(title) & set(counts)
    if len(authors) == 1:
        return authors.pop()  # "Leadership reform two years after Messenger", whatever else the body names
    only = counts.popitem()[0] if len(counts) == 1 else None
    if only and _OTHER_TITLE.search(title) and not namer.describes(title, only) and not _GENERIC_TITLE.search(title):
        return None  # a title about a review the body does not name as this one ("Francis report: ten years on")
    return only


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, name: str, urls: list[str]):
    """A list of URLs as a one-column table `name` (url) for the statements inside the block."""
    con.register(name, pa.table({"url": pa.array(urls, pa.string())}))
    try:
        yield
    finally:
        con.unregister(name)


def _count_checks(reviews, known: dict[str, set[int]]) -> list[QualityCheck]:
    rows = []
    for review in reviews:
        found = len(known.get(review.review_id, ()))
        if review.expected_recommendations is None:
            rows.append(QualityCheck(review.review_id, "recommendation_count", True,
                                     f"found {found}; the review states no number"))
        else:
            rows.append(QualityCheck(review.review_id, "recommendation_count", found == review.expected_recommendations,
                                     f"found {found} of {review.expected_recommendations} stated"))
    return rows


def _vocabulary_checks(con: duckdb.DuckDBPyConnection, reviews) -> list[QualityCheck]:
    """Every status in the evidence is one the vocabulary (tracker/vocabulary.py, as status_vocabulary) defines."""
    bad = dict(con.execute(
        """SELECT e.review_id, count(*) FROM status_evidence e
           LEFT JOIN status_vocabulary v ON v.axis = e.axis AND v.status = e.status
           WHERE v.status IS NULL GROUP BY e.review_id"""
    ).fetchall())
    return [
        QualityCheck(review.review_id, "status_vocabulary", bad.get(review.review_id, 0) == 0,
                     "every status is in the vocabulary" if not bad.get(review.review_id)
                     else f"{bad[review.review_id]} statuses outside the vocabulary")
        for review in reviews
    ]
