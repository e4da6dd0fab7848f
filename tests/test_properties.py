"""Property-based tests: random HTML and text never crash the parsers or the status extractor, and
every evidence quote is present, verbatim, in the text it came from."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.extract.language import sentences
from tracker.extract.targets import find_references
from tracker.extract.reviews import ReviewNamer
from tracker.extract.status import StatusExtractor
from tracker.items import Block, Publication
from tracker.parse.html import html_to_blocks, page_meta, parse_document
from tracker.registry import load_reviews

WORDS = [
    "recommendation", "recommendations", "1", "2", "3", "7", "19", "and", "to", "all", "seven", "the", "first",
    "has", "been", "implemented", "accepted", "not", "in", "principle", "part", "will", "be", "considered",
    "further", "is", "being", "taken", "forward", "paused", "superseded", "overtaken", "no", "sign", "of",
    "progress", "on", "Kark", "review", "Lord", "Rose's", "Messenger", "government", "accepts", "rejects",
    "\u201c", "\u201d", '"', ".", ",", ";", ":", "(", ")", "\u2019s", "Dr.", "e.g.", "\n",
]
sentence_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=40).map(" ".join)
TAGS = ["p", "div", "li", "ul", "ol", "h2", "h3", "blockquote", "table", "tr", "td", "section", "span", "br", "main",
        "article", "script", "nav"]


@st.composite
def html_fragments(draw, depth=0):
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 4 and draw(st.booleans()):
            tag = draw(st.sampled_from(TAGS))
            attrs = draw(st.sampled_from(["", ' class="comments"', ' id="webArchiveInfobox"', ' start="3"',
                                          ' class="tag"']))
            parts.append(f"<{tag}{attrs}>{draw(html_fragments(depth + 1))}</{tag}>")
        else:
            parts.append(draw(st.one_of(sentence_text, st.text(max_size=30))))
    return "".join(parts)


EXTRACTOR = StatusExtractor(ReviewNamer(load_reviews()),
                            {"kark-2019": set(range(1, 8)), "rose-2015": set(range(1, 20))})


def publication(blocks):
    return Publication(url="https://example.org/p", source="other", title="t", published_on=date(2024, 1, 1),
                       document_type="blog", blocks=blocks)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_fragments(), st.sampled_from(["", "<html><head><title>x</title></head><body>", "<?xml version='1.0'?>"]))
def test_random_html_parses_without_exceptions(fragment, prefix):
    doc = parse_document(prefix + fragment)
    page_meta(doc)
    blocks = html_to_blocks(prefix + fragment)
    assert all(b.text and b.text == b.text.strip() for b in blocks)
    assert all(b.role in {"body", "comment", "quote", "banner"} for b in blocks)


@settings(max_examples=500, deadline=None)
@given(st.lists(sentence_text, min_size=1, max_size=6), st.sampled_from([None, "kark-2019", "rose-2015"]))
def test_every_quote_is_in_its_source_text(paragraphs, doc_review):
    blocks = [Block("paragraph", p.strip() or "x") for p in paragraphs]
    evidence = EXTRACTOR.extract(publication(blocks), doc_review)
    texts = [b.text for b in blocks]
    for ev in evidence:
        assert ev.quote.strip()
        assert any(ev.quote in t for t in texts), (ev.quote, texts)
        known = EXTRACTOR.known.get(ev.review_id)
        assert not known or ev.number in known
        assert ev.axis in {"response", "implementation"}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_sentences_and_references_on_any_text(text):
    pieces = sentences(text)
    assert all(p in text for p in pieces)
    for ref in find_references(text):
        assert 0 <= ref.start <= ref.end <= len(text)
        assert all(0 < n < 1000 for n in ref.numbers)


@settings(max_examples=200, deadline=None)
@given(sentence_text)
def test_comments_and_quotes_never_yield_evidence(text):
    blocks = [Block("paragraph", text, role="comment"), Block("paragraph", text, role="quote"),
              Block("paragraph", text, role="banner")]
    assert EXTRACTOR.extract(publication(blocks), "kark-2019") == []
