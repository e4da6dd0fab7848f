"""How accuracy is judged: `tracker evaluate` on labelled set folders, the development and blind sets'
floors, layouts of review documents, and statements the rules abstain on reaching the analyst."""

from __future__ import annotations

import csv
import re
import tomllib
from datetime import date
from pathlib import Path

import pytest

from conftest import run_cli
from support import ROOT, SAMPLE_WARC
from tracker.evaluate import by_page_url, evaluate_set, read_set
from tracker.extract.recommendations import extract_recommendations
from tracker.items import Publication, Review
from tracker.parse.pdf import parse_pdf
from tracker.samplegen import render_pdf_spec

EVALUATION = ROOT / "tests" / "evaluation"

PAGE = """<!doctype html><html><head><title>{title}</title>
<meta property="article:published_time" content="2024-05-01"></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""


def write_set(root: Path, documents: dict[str, str], labels: list[tuple]) -> Path:
    """A labelled set folder: HTML documents (url -> body) and label rows."""
    (root / "documents").mkdir(parents=True)
    entries = []
    for i, (url, body) in enumerate(documents.items()):
        name = f"doc{i}.html"
        (root / "documents" / name).write_text(PAGE.format(title=f"Document {i} on the Kark review", body=body))
        entries.append(f'[[document]]\nfile = "{name}"\nurl = "{url}"\nsource = "other"\n'
                       f'content_type = "text/html; charset=utf-8"\npublished = "2024-05-01"\n')
    (root / "documents.toml").write_text("\n".join(entries))
    with open(root / "labels.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["url", "review_id", "number", "axis", "status", "note"])
        w.writerows(labels)
    return root


def test_a_set_is_scored_from_scratch_and_a_page_that_must_yield_nothing_counts(tmp_path):
    root = write_set(tmp_path / "set", {
        "https://example.org/a": "<p>Recommendation 2 of the Kark review has been implemented.</p>",
        "https://example.org/b": "<p>Recommendation 4 of the Kark review has been implemented.</p>",
        "https://example.org/c": "<p>The government should implement recommendation 5 of the Kark review.</p>",
    }, [("https://example.org/a", "kark-2019", 2, "implementation", "implemented", "")])
    result = evaluate_set(root)
    assert result.documents == 3
    assert (result.score.labelled, result.score.found, result.score.matched) == (1, 2, 1)
    assert result.silent == 2 and result.silent_broken == ["https://example.org/b"]
    assert result.score.extras == [("https://example.org/b", "kark-2019", 4, "implementation", "implemented")]
    assert "Recommendation 4" in result.quotes[result.score.extras[0]]


def test_a_label_may_name_a_document_by_the_address_it_was_captured_from():
    api = "https://www.gov.uk/api/content/government/publications/x"
    page = "https://www.gov.uk/government/publications/x"
    other = ("https://o.test/a", "kark-2019", 2, "response", "rejected")
    labels = {(api, "kark-2019", 1, "response", "accepted"), other}
    assert by_page_url(labels, [(page, api), ("https://o.test/a", "https://o.test/a"), ("https://o.test/b", None)]) == {
        (page, "kark-2019", 1, "response", "accepted"), other}


def test_abstentions_are_counted_not_scored(tmp_path):
    root = write_set(tmp_path / "set", {
        "https://example.org/q": "<p>Two of the proposals of the Kark review were accepted last week.</p>",
    }, [])
    result = evaluate_set(root)
    assert (result.score.found, result.unresolved) == (0, 1)


def test_the_command_prints_scores_explains_and_sets_an_exit_code(tmp_path):
    root = write_set(tmp_path / "set", {
        "https://example.org/a": "<p>Recommendation 2 of the Kark review has been implemented.</p>",
    }, [("https://example.org/a", "kark-2019", 2, "implementation", "implemented", ""),
        ("https://example.org/a", "kark-2019", 3, "implementation", "implemented", "")])
    home = tmp_path / "home"
    home.mkdir()
    proc = run_cli(home, "evaluate", str(root), "--explain", "--min-recall", "0.9", check=False)
    assert proc.returncode == 1
    assert "recall 0.500  precision 1.000" in proc.stdout
    assert "kark-2019 #3 implementation=implemented" in proc.stdout
    assert "nothing found on this axis" in proc.stdout
    assert not list(home.iterdir()), "a set is evaluated in a throwaway home"


def test_sets_on_disk_are_well_formed():
    from tracker.samplegen import load_manifest
    from tracker.vocabulary import is_valid

    sample = {e["url"].replace("/api/content/", "/") for e in load_manifest()}
    for name in ("dev", "blind", "holdout", "blind2", "blind3"):
        docs, labels, _ = read_set(EVALUATION / name)
        urls = {d.url.replace("/api/content/", "/") for d in docs} | (sample if name == "dev" else set())
        assert labels, name
        assert [k for k in labels if k[0].replace("/api/content/", "/") not in urls] == [], \
            f"{name}: labels for documents the set does not have"
        assert [k for k in labels if not is_valid(k[3], k[4])] == [], f"{name}: statuses outside the vocabulary"
    blind_docs, blind_labels, _ = read_set(EVALUATION / "blind")
    assert len(blind_labels) >= 150 and len({d.url for d in blind_docs}) >= 25
    second_docs, second_labels, _ = read_set(EVALUATION / "blind2")
    assert len(second_labels) >= 250 and len({d.url for d in second_docs}) >= 30
    silent = {d.url.replace("/api/content/", "/") for d in second_docs} - {k[0] for k in second_labels}
    assert len(silent) >= 6, "pages that must yield nothing"
    third_docs, third_labels, _ = read_set(EVALUATION / "blind3")
    assert len(third_labels) >= 200 and len({d.url for d in third_docs}) >= 30


def test_real_page_sets_commit_urls_and_labels_never_text():
    """The real pages' text stays local (git-ignored); their URLs, queries and labels are committed, and every
    label names a page of its own half."""
    import csv
    import subprocess

    root = EVALUATION / "real"
    tracked = subprocess.run(["git", "ls-files", str(root)], capture_output=True, text=True,
                             cwd=EVALUATION.parent.parent).stdout.split()
    assert tracked and not [p for p in tracked if "/documents/" in p], "a real page's text is committed"
    for half in ("a", "b", "c", "d", "e", "f"):
        for part in sorted((root / half).iterdir()):
            entries = tomllib.loads((part / "documents.toml").read_text(encoding="utf-8"))["document"]
            urls = {e["url"] for e in entries}
            labelled = {row["url"] for row in csv.DictReader(open(part / "labels.csv", encoding="utf-8"))}
            pages = list(csv.DictReader(open(part / "pages.csv", encoding="utf-8")))
            assert labelled <= urls and {row["url"] for row in pages} == urls
            assert all(row["half"] == half and row["query"] for row in pages)


@pytest.mark.e2e
@pytest.mark.skipif(not any((EVALUATION / "real").rglob("*.page.txt")),
                    reason="the real pages' text is not committed; fetch it as docs/developers/evaluation.md says")
def test_real_pages_with_their_text_yield_no_more_than_their_labels():
    """Where a developer has the real pages' text: precision holds on both halves."""
    for half in ("a", "b", "c", "d", "e", "f"):
        result = evaluate_set(EVALUATION / "real" / half)
        assert result.score.precision >= 0.85, (half, result.score.precision)


@pytest.mark.e2e
def test_development_set_scores_and_every_layout_is_exact():
    result = evaluate_set(EVALUATION / "dev")
    assert result.silent >= 4 and result.silent_broken == []
    assert result.score.recall >= 0.85 and result.score.precision >= 0.95, (result.score.recall, result.score.precision)
    assert result.layouts and all(lay.ok for lay in result.layouts), [
        (lay.review_id, lay.layout, lay.problems[:2]) for lay in result.layouts if not lay.ok]
    # every review with a stated count is laid out at least three ways
    by_review = {}
    for lay in result.layouts:
        by_review.setdefault(lay.review_id, set()).add(lay.layout)
    assert {r for r, layouts in by_review.items() if len(layouts) >= 3} >= {"smith-2015", "rose-2015", "kark-2019",
                                                                            "messenger-2022"}


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["blind", "holdout", "blind2", "blind3"])
def test_blind_sets_through_the_command_line_hold_the_bars(tmp_path, name):
    """Scored only through `tracker evaluate`; held to the precision bar everywhere and to the recall each
    has reached (the second blind set's recall is the layouts issue's to raise: docs/developers/accuracy.md)."""
    home = tmp_path / "home"
    home.mkdir()
    recall = {"blind2": "0.60", "blind3": "0.80"}.get(name, "0.85")
    proc = run_cli(home, "evaluate", str(EVALUATION / name), "--quiet", "--min-recall", recall,
                   "--min-precision", "0.95", check=False)
    assert proc.returncode == 0, proc.stdout
    assert re.search(r"^recall 0\.\d{3}  precision 0\.9\d{2}$", proc.stdout, re.M)
    # no evidence from pages that must yield nothing (comments, quotations, other inquiries, wishes)
    assert re.search(r"^pages that must yield nothing: [1-9]\d*, of which yielded evidence: 0$", proc.stdout,
                     re.M), proc.stdout


@pytest.mark.e2e
def test_an_unresolved_statement_reaches_status_exports_and_briefing(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    page = tmp_path / "note.html"
    page.write_text(PAGE.format(title="Kark review: a note", body=(
        "<p>Ministers have accepted two of the seven recommendations of the Kark review, officials said.</p>"
        "<p>Recommendation 6 of the Kark review has been implemented.</p>")))
    run_cli(home, "import-warc", str(SAMPLE_WARC))
    run_cli(home, "ingest", str(page), "--url", "https://www.example-press.co.uk/kark-note", "--published",
            "2024-05-01")
    run_cli(home, "run", "--offline")
    status = run_cli(home, "status").stdout
    assert "Statements the rules could not tie to recommendations" in status
    assert "says 2 but not which" in status
    exported = (home / "exports" / "latest" / "unresolved_statements.csv").read_text(encoding="utf-8-sig")
    assert "says 2 but not which" in exported and "kark-note" in exported
    site = (home / "site" / "index.html").read_text()
    assert "Statements awaiting an analyst" in site and "says 2 but not which" in site

    # an analyst settles it: one correction row per recommendation, quoting the same statement
    quote = "Ministers have accepted two of the seven recommendations of the Kark review, officials said."
    (home / "corrections").mkdir(exist_ok=True)
    with open(home / "corrections" / "settled.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["review_id", "number", "axis", "status", "quote", "source_url", "analyst", "date"])
        for n in (1, 2):
            w.writerow(["kark-2019", n, "response", "accepted", quote, "https://www.example-press.co.uk/kark-note",
                        "A. Analyst", "2024-05-01"])
    run_cli(home, "run", "--offline")
    status = run_cli(home, "status").stdout
    assert "says 2 but not which" not in status
    assert "Corrections that match nothing" not in status


PDF_SPEC = """%title A review
%page
# A review of board competence

%font 9
We spoke to many boards over six months, and this discussion runs over several lines so that it is clearly
the running text of the report, set in the smaller size that most of the report uses throughout.

# Recommendations

## Recommendation 1

%font 11
Every director should meet one set of competence standards, applied in every organisation.

%font 9
Boards told us that standards differ, and that directors move between organisations without checks. This
discussion also runs over more than one line of the page so that it reads as running text.

## Recommendation 2

%font 11
A central register of directors should be kept.

%font 9
A register would hold the record of each director. The discussion goes on for a while here as well.
"""


def test_recommendations_set_larger_than_the_discussion_are_text_not_headings():
    doc = parse_pdf(render_pdf_spec(PDF_SPEC, created=date(2020, 1, 1)))
    pub = Publication(url="https://example.org/r.pdf", source="other", title=doc.title, published_on=None,
                      document_type="pdf", blocks=doc.blocks)
    recs = extract_recommendations(pub, Review("r", "A review", "DHSC", None, None, 2))
    assert [(r.number, r.text) for r in recs] == [
        (1, "Every director should meet one set of competence standards, applied in every organisation."),
        (2, "A central register of directors should be kept."),
    ]


def test_the_docs_show_every_basis_with_its_confidence_and_the_default_threshold():
    from tracker.extract.basis import BASES
    from tracker.settings import DEFAULT_MIN_CONFIDENCE

    accuracy = (ROOT / "docs" / "developers" / "accuracy.md").read_text(encoding="utf-8")
    for basis in BASES.values():
        row = re.search(rf"^\| `{basis.name}` \|[^|]+\| ([0-9.]+) \| (yes|no) \|$", accuracy, re.M)
        assert row, basis.name
        assert float(row.group(1)) == basis.confidence and (row.group(2) == "yes") == basis.proof, basis.name
    configuration = (ROOT / "docs" / "operators" / "configuration.md").read_text(encoding="utf-8")
    assert f"| `TRACKER_MIN_CONFIDENCE` | `{DEFAULT_MIN_CONFIDENCE}` |" in configuration
