"""The extract stage: each review's recommendations from its own documents, then status evidence from
every relevant document, incrementally (a document is re-read only when something it depends on changed)."""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import re

import duckdb

from tracker.corrections import apply_corrections, read_corrections
from tracker.extract.recommendations import extract_recommendations
from tracker.extract.relevance import relevance
from tracker.extract.reviews import ReviewNamer
from tracker.extract.status import StatusExtractor
from tracker.faults import checkpoint
from tracker.items import Block, Evidence, Publication, Recommendation, Unresolved
from tracker.publishers import publisher_of
from tracker.registry import linked_to_review, owning_review, registry_digest, reviews_for
from tracker.settings import Settings
from tracker.stages.budget import OverBudget, time_budget
from tracker.stages.sandbox import TIME
from tracker.warehouse import load
from tracker.withdrawals import withdrawn_urls

log = logging.getLogger(__name__)

# Bump when extraction rules change, so every document is read again.
EXTRACTOR_VERSION = 5


def read_blocks(con: duckdb.DuckDBPyConnection, url: str) -> list[Block]:
    rows = con.execute(
        "SELECT kind, text, level, label, page, role FROM document_blocks WHERE url = ? ORDER BY seq", [url]
    ).fetchall()
    return [Block(kind, text, level or 0, label or "", page, role) for kind, text, level, label, page, role in rows]


def iter_blocks(con: duckdb.DuckDBPyConnection, urls: list[str], chunk: int = 200):
    """Blocks of each URL in turn (same order as `urls`), read a chunk of documents per query."""
    import pyarrow as pa

    for start in range(0, len(urls), chunk):
        part = urls[start : start + chunk]
        con.register("wanted_urls", pa.table({"url": part, "pos": list(range(len(part)))}))
        rows = con.execute(
            """SELECT w.pos, b.kind, b.text, b.level, b.label, b.page, b.role
               FROM wanted_urls w LEFT JOIN document_blocks b ON b.url = w.url
               ORDER BY w.pos, b.seq"""
        ).fetchall()
        con.unregister("wanted_urls")
        grouped: list[list[Block]] = [[] for _ in part]
        for pos, kind, text, level, label, page, role in rows:
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
    from pathlib import Path

    import tracker.extract as package

    h = hashlib.sha256()
    for path in [*sorted(Path(package.__file__).parent.glob("*.py")), Path(__file__), *(Path(__file__).parents[1] / name for name in ("registry.py", "publishers.py"))]:
        h.update(path.name.encode() + path.read_bytes())
    return h.digest()


def _fingerprint(recs: list[Recommendation], reviews) -> str:
    h = hashlib.sha256(f"v{EXTRACTOR_VERSION}".encode())
    h.update(_rules_digest())
    h.update(registry_digest(reviews))  # the built-in registry and the analyst's, merged: editing either re-reads
    h.update(json.dumps(sorted((r.review_id, r.number, r.text) for r in recs)).encode())
    return h.hexdigest()


def run_extract_stage(con: duckdb.DuckDBPyConnection, settings: Settings, summary) -> None:
    reviews = reviews_for(settings)
    namer = ReviewNamer(reviews)
    pubs = read_publications(con)
    by_url = {p.url: p for p in pubs}
    parents: dict[str, Publication] = {}
    for pub_url, link_url in con.execute("SELECT publication_url, url FROM attachments").fetchall():
        if pub_url in by_url:
            parents.setdefault(link_url.rstrip("/"), by_url[pub_url])
    # GOV.UK names the organisation behind a page; its attachments are that organisation's too.
    publishers = {p.url: publisher_of(p.url, p.authors or getattr(parents.get(p.url.rstrip("/")), "authors", ())) for p in pubs}
    owners = {}
    own_pages = set()  # the reviews' own pages and their attachments: they state recommendations, not their fate
    for pub in pubs:
        review = owning_review(pub, reviews, parents)
        owners[pub.url] = review.review_id if review else None
        if review and (linked_to_review(pub, review, parents) or pub.document_type == "pdf"):
            own_pages.add(pub.url)

    errors: list[tuple[str, str]] = []
    # documents over the time budget: (url, content hash, message); not read again until either changes
    breaches: list[tuple[str, str, str]] = []
    held = load.held_breaches(con, "extract")
    budget = settings.extract_seconds
    recs: list[Recommendation] = []
    for review in reviews:
        best: list[Recommendation] = []
        for pub in (p for p in pubs if owners[p.url] == review.review_id):
            if held.get(pub.url) == pub.content_sha256:
                continue
            pub.blocks = read_blocks(con, pub.url)
            try:
                with time_budget(budget, "reading recommendations"):
                    found = extract_recommendations(pub, review)
            except OverBudget as exc:
                breaches.append((pub.url, pub.content_sha256, str(exc)))
                continue
            except Exception as exc:  # one bad document never stops the run
                errors.append((pub.url, f"{type(exc).__name__}: {exc}"))
                continue
            finally:
                pub.blocks = []
            if len(found) > len(best):
                best = found
        recs.extend(best)

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
    fingerprint = _fingerprint(all_recs, reviews)
    extractor = StatusExtractor(namer, known, texts)

    state = {
        url: (sha, review_id, fp)
        for url, sha, review_id, fp in con.execute(
            "SELECT url, content_sha256, review_id, fingerprint FROM extraction_state"
        ).fetchall()
    }
    stale = [p for p in pubs if state.get(p.url) != (p.content_sha256, owners[p.url], fingerprint)]
    new_evidence: list[Evidence] = []
    new_unresolved: list[Unresolved] = []
    relevance_rows = []
    for pub, blocks in zip(stale, iter_blocks(con, [p.url for p in stale])):
        pub.blocks = blocks
        relevant, reason, result = None, None, None
        try:
            with time_budget(budget, "reading statements"):
                body = " ".join(b.text for b in blocks if b.role == "body")
                mentions = namer.mentions(pub.title + " \n " + body)
                named = {rid for _, rid in mentions}
                relevant, reason = relevance(pub.title, pub.topics, body, owners[pub.url], named)
                if relevant and pub.url not in own_pages:
                    doc_review = owners[pub.url] or document_review(namer, pub.title, mentions)
                    try:
                        result = extractor.read(pub, doc_review, named=bool(mentions), speaker=publishers[pub.url].kind)
                    except OverBudget:
                        raise
                    except Exception as exc:  # one bad document never stops the run
                        errors.append((pub.url, f"{type(exc).__name__}: {exc}"))
        except OverBudget as exc:
            breaches.append((pub.url, pub.content_sha256, str(exc)))
            result = None
        relevance_rows.append((owners[pub.url], relevant, reason, pub.url))
        if result is not None:
            new_evidence.extend(result.evidence)
            new_unresolved.extend(result.unresolved)
        pub.blocks = []  # keep memory flat

    con.execute("BEGIN TRANSACTION")
    try:
        load.sync_reviews(con, reviews)
        load.refresh_publishers(con, publishers)
        if stale:
            con.register("stale_urls", _url_table([p.url for p in stale]))
            con.execute("DELETE FROM rule_evidence WHERE source_url IN (SELECT url FROM stale_urls)")
            con.execute("DELETE FROM rule_unresolved WHERE source_url IN (SELECT url FROM stale_urls)")
            con.execute("DELETE FROM extraction_state WHERE url IN (SELECT url FROM stale_urls)")
            con.unregister("stale_urls")
            load.insert_rule_evidence(con, new_evidence)
            load.insert_rule_unresolved(con, new_unresolved)
            con.executemany(
                "UPDATE publications SET review_id = ?, relevant = ?, relevance_reason = ? WHERE url = ?",
                relevance_rows,
            )
            failed = {url for url, _ in errors}
            con.executemany(
                "INSERT INTO extraction_state VALUES (?, ?, ?, ?)",
                [(p.url, p.content_sha256, owners[p.url], fingerprint) for p in stale if p.url not in failed],
            )
        rule_rows = load.read_rule_evidence(con)
        final_recs, evidence = apply_corrections(corrections, {r.review_id for r in reviews}, recs, rule_rows)
        load.replace_corrections(con, [c.row() for c in corrections])
        load.replace_recommendations(con, final_recs)
        load.replace_evidence(con, evidence)
        load.replace_unresolved(con)
        load.sync_vocabulary(con)
        # ordinary errors are found afresh every run; a breach stays until its document is read again
        con.register("read_urls", _url_table([p.url for p in stale] + [url for url, _, _ in breaches]))
        con.execute("""DELETE FROM processing_errors WHERE stage = 'extract'
                       AND (breach IS NULL OR url IN (SELECT url FROM read_urls)
                            OR url NOT IN (SELECT url FROM publications))""")
        con.unregister("read_urls")
        for url, error in errors:
            load.record_error(con, url, "extract", error, None)
        for url, sha, error in breaches:
            load.record_error(con, url, "extract", error, None, sha, TIME)
        _quality_checks(con, reviews, known)
        checkpoint("extract")  # mid-transaction: a crash here must roll back to the previous state
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    summary.errors += len(errors) + len(breaches)
    summary.extracted = len(stale)
    summary.recommendations = len(final_recs)
    summary.evidence = len(evidence)
    summary.corrections_unmatched = sum(1 for c in corrections if not c.applied)


_OTHER_TITLE = re.compile(r"\b(?:review|report|inquiry)\b", re.I)


def document_review(namer: ReviewNamer, title: str, mentions: list[tuple[int, str]]) -> str | None:
    """The one tracked review a document is about: named in its title, else the only one its body
    names. A title about another review ("Freedom to Speak Up review: progress")
    makes the document about that one, whatever it mentions in passing."""
    in_title = namer.only(title)
    if in_title:
        return in_title
    if namer.mentions(title) or _OTHER_TITLE.search(title):
        return None
    counts: dict[str, int] = {}
    for _, rid in mentions:
        counts[rid] = counts.get(rid, 0) + 1
    return counts.popitem()[0] if len(counts) == 1 else None


def _url_table(urls: list[str]):
    import pyarrow as pa

    return pa.table({"url": urls})


def _quality_checks(con, reviews, known: dict[str, set[int]]) -> None:
    con.execute("DELETE FROM data_quality")
    rows = []
    for review in reviews:
        found = len(known.get(review.review_id, ()))
        if review.expected_recommendations is None:
            rows.append((review.review_id, "recommendation_count", True, f"found {found}; the review states no number"))
        else:
            ok = found == review.expected_recommendations
            rows.append((review.review_id, "recommendation_count", ok, f"found {found} of {review.expected_recommendations} stated"))
    # every status in the evidence is one the vocabulary (tracker/vocabulary.py, as status_vocabulary) defines
    outside = con.execute(
        """SELECT e.review_id, count(*) FROM status_evidence e
           LEFT JOIN status_vocabulary v ON v.axis = e.axis AND v.status = e.status
           WHERE v.status IS NULL GROUP BY e.review_id"""
    ).fetchall()
    bad = dict(outside)
    for review in reviews:
        n = bad.get(review.review_id, 0)
        rows.append((review.review_id, "status_vocabulary", n == 0,
                     "every status is in the vocabulary" if n == 0 else f"{n} statuses outside the vocabulary"))
    con.executemany("INSERT INTO data_quality VALUES (?, ?, ?, ?)", rows)
