"""The Atom feeds of the detected changes (site/feeds/): valid Atom 1.0 by a RELAX NG schema of RFC 4287's
grammar (tests/atom.rng) and, rule by rule, by what RELAX NG cannot say; stable entry ids; links on
TRACKER_SITE_URL when set, else relative; announced from the index."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from tracker.publish.site import load_briefing, render_briefing

A = "{http://www.w3.org/2005/Atom}"
SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).with_name("atom.rng"))))
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
GOV = "https://www.gov.uk/government/publications/a-review-government-response"
HOSTILE = "We <script>alert(1)</script> accept\x00\x07 it \uffff& more"


def check_atom(xml: str) -> etree._Element:
    """Valid by the schema, and by each RFC 4287 rule the schema cannot express."""
    root = etree.fromstring(xml.encode("utf-8"))
    assert SCHEMA.validate(root), SCHEMA.error_log
    assert root.tag == f"{A}feed"
    entries = root.findall(f"{A}entry")
    # 4.1.1: an author on the feed, or on every entry
    assert root.find(f"{A}author") is not None or all(en.find(f"{A}author") is not None for en in entries)
    for element in [root, *entries]:
        # 4.1.1, 4.1.2: at most one alternate link per type and hreflang
        alternates = [(li.get("type"), li.get("hreflang")) for li in element.findall(f"{A}link")
                      if li.get("rel", "alternate") == "alternate"]
        assert len(alternates) == len(set(alternates))
        # 4.2.6: an id is an absolute IRI
        assert urlsplit(element.findtext(f"{A}id")).scheme
        # 3.3: dates are RFC 3339 date-times with a zone
        for when in element.findall(f"{A}updated") + element.findall(f"{A}published"):
            assert RFC3339.match(when.text), when.text
    for en in entries:
        # 4.1.2: content, or an alternate link; a summary where content is elsewhere (src)
        content = en.find(f"{A}content")
        assert content is not None or any(li.get("rel", "alternate") == "alternate" for li in en.findall(f"{A}link"))
        if content is not None and content.get("src"):
            assert en.find(f"{A}summary") is not None
    ids = [en.findtext(f"{A}id") for en in entries]
    assert len(ids) == len(set(ids))  # 4.1.1: entries with one id are one entry
    assert any(li.get("rel") == "self" for li in root.findall(f"{A}link"))  # 4.1.1 SHOULD
    return root


def _ids(root) -> list[str]:
    return [en.findtext(f"{A}id") for en in root.findall(f"{A}entry")]


def _seed(con):
    con.execute("INSERT INTO reviews (review_id, title, published_on) VALUES ('r', 'A review', DATE '2016-01-01'), "
                "('q', 'Another review', DATE '2017-01-01')")
    for rid in ("r", "q"):
        for n in (1, 2):
            con.execute("INSERT INTO recommendations (review_id, number, text, theme) VALUES (?, ?, 'Do it', '')",
                        [rid, n])
    con.execute("INSERT INTO publications (url, source, title, published_on, publisher) "
                "VALUES (?, 'dhsc', 'Response', DATE '2019-08-16', 'DHSC')", [GOV])


def _log(con, version: str, at: datetime, rows) -> None:
    start = con.execute("SELECT coalesce(max(change_id), 0) FROM change_log").fetchone()[0]
    for i, (change_type, rid, number, axis, before, after, text) in enumerate(rows, start=start + 1):
        con.execute("INSERT INTO change_log VALUES (?, ?, ?, ?, ?, ?, ?, DATE '2019-08-16', ?, ?, 'run', ?, ?)",
                    [i, change_type, rid, number, axis, before, after, GOV, text, version, at])


def _publish(con, version: str, at: datetime) -> None:
    con.execute("CREATE OR REPLACE TABLE warehouse_info AS SELECT 'run' AS run_id, ? AS published_at, "
                "? AS version_file", [at, version])


def _feeds(con, **kw) -> dict[str, str]:
    return {k: v for k, v in render_briefing(load_briefing(con, **kw)).items() if k.startswith("feeds/")}


def test_the_feeds_are_valid_atom_with_ids_a_rerun_keeps(mem_con):
    _seed(mem_con)
    first, second = datetime(2026, 11, 30, 6), datetime(2026, 12, 7, 6)
    _log(mem_con, "tracker-20261130T060000.duckdb", first, [
        ("status_change", "r", 1, "response", "no_response", "accepted", HOSTILE),
        ("new_evidence", "r", 1, "response", None, "accepted", HOSTILE),
        ("new_recommendation", "q", 2, None, None, None, "Do it"),
        ("new_publication", None, None, None, None, None, "Response <b>"),
    ])
    _publish(mem_con, "tracker-20261130T060000.duckdb", first)
    before = _feeds(mem_con)
    assert set(before) == {"feeds/changes.atom", "feeds/r.atom", "feeds/q.atom"}
    roots = {name: check_atom(xml) for name, xml in before.items()}
    assert len(_ids(roots["feeds/changes.atom"])) == 4
    assert len(_ids(roots["feeds/r.atom"])) == 2 and len(_ids(roots["feeds/q.atom"])) == 1
    tag = "tag:nhs-leadership-tracker.example,2026:change/"
    assert all(i.startswith(tag) for i in _ids(roots["feeds/changes.atom"]))
    entry = roots["feeds/r.atom"].find(f"{A}entry")
    assert entry.findtext(f"{A}title") == "A review (2016) #1, response: no response \u2192 accepted"
    assert "We <script>alert(1)</script> accept it & more" in entry.findtext(f"{A}summary")  # text, made XML-safe
    assert entry.findtext(f"{A}updated") == "2026-11-30T06:00:00Z"
    assert [(li.get("rel"), li.get("href")) for li in entry.findall(f"{A}link")] == [
        ("alternate", "../recommendations/r-1.html"), ("related", GOV)]
    assert [li.get("href") for li in roots["feeds/r.atom"].findall(f"{A}link")] == ["r.atom", "../index.html"]
    assert _feeds(mem_con) == before  # the same warehouse, the same bytes

    # the next week: one new change; the earlier entries keep their ids and dates
    _log(mem_con, "tracker-20261207T060000.duckdb", second,
         [("status_change", "r", 2, "implementation", "unknown", "implemented", "Done")])
    _publish(mem_con, "tracker-20261207T060000.duckdb", second)
    after = {name: check_atom(xml) for name, xml in _feeds(mem_con).items()}
    old = _ids(roots["feeds/changes.atom"])
    new = _ids(after["feeds/changes.atom"])
    assert new[1:] == old and new[0] not in old  # newest first
    assert after["feeds/changes.atom"].findtext(f"{A}updated") == "2026-12-07T06:00:00Z"
    assert _ids(after["feeds/q.atom"]) == _ids(roots["feeds/q.atom"])


def test_feed_links_use_the_site_url_and_the_index_announces_every_feed(mem_con):
    _seed(mem_con)
    _log(mem_con, "tracker-20261207T060000.duckdb", datetime(2026, 12, 7, 6),
         [("status_change", "r", 1, "response", "no_response", "accepted", "We accept")])
    _publish(mem_con, "tracker-20261207T060000.duckdb", datetime(2026, 12, 7, 6))
    served = _feeds(mem_con, site_url="https://example.org/briefing/")
    root = check_atom(served["feeds/changes.atom"])
    assert [li.get("href") for li in root.findall(f"{A}link")] == [
        "https://example.org/briefing/feeds/changes.atom", "https://example.org/briefing/index.html"]
    assert root.find(f"{A}entry/{A}link").get("href") == "https://example.org/briefing/recommendations/r-1.html"
    index = BeautifulSoup(render_briefing(load_briefing(mem_con))["index.html"], "html.parser")
    announced = [(li["type"], li["href"]) for li in index.head.find_all("link", rel="alternate")]
    assert announced == [("application/atom+xml", f"feeds/{n}.atom") for n in ("changes", "r", "q")]
    assert [a["href"] for a in index.select("#feeds a")] == [href for _, href in announced]


@pytest.mark.parametrize("broken", [
    ("<updated>2026-12-07T06:00:00Z</updated>", "<updated>7 Dec 2026</updated>"),  # not a date-time
    ("<title type=\"text\">NHS leadership reviews: changes</title>", ""),  # no title
    ("<name>NHS leadership policy tracker</name>", ""),  # a person without a name
])
def test_the_schema_rejects_what_rfc_4287_forbids(mem_con, broken):
    _seed(mem_con)
    _publish(mem_con, "tracker-20261207T060000.duckdb", datetime(2026, 12, 7, 6))
    xml = _feeds(mem_con)["feeds/changes.atom"]
    assert broken[0] in xml
    assert not SCHEMA.validate(etree.fromstring(xml.replace(broken[0], broken[1], 1).encode("utf-8")))


def test_an_entry_without_an_alternate_link_or_content_is_caught():
    xml = ("<feed xmlns='http://www.w3.org/2005/Atom'><id>tag:x,2026:f</id><title>t</title>"
           "<updated>2026-12-07T06:00:00Z</updated><author><name>n</name></author><link rel='self' href='f'/>"
           "<entry><id>tag:x,2026:e</id><title>t</title><updated>2026-12-07T06:00:00Z</updated></entry></feed>")
    with pytest.raises(AssertionError):
        check_atom(xml)
