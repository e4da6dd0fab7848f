"""UK Parliament: DHSC's written answers to parliamentary questions and its written ministerial statements;
the answer is the minister's word, the question only context, and a corrected answer supersedes the original.

Read from Parliament's public questions-and-statements API (JSON). Discovery searches by the tracked
reviews' names and aliases and by leadership terms, keeps what the Department of Health and Social
Care answered or stated, and fetches each item from its own endpoint (search pages cut the text).
A publication is one answer or statement, addressed by its public page on
questions-statements.parliament.uk: the question is context (role "question", never read as the
government's words); the answer is the official voice. A corrected answer supersedes the original:
the corrected text is the body, dated on the correction; the original is kept as "superseded" context.
The question's block headings carry the dates tabled, answered and corrected.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Iterator
from urllib.parse import urlencode, urlsplit

from tracker.sourcelist import Source
from tracker.items import Attachment, Block, Candidate, Capture, Publication
from tracker.parse.html import html_to_blocks
from tracker.parse.text import clean, parse_date
from tracker.sources.base import SourceAdapter, links_only, tracked_reviews
from tracker.sources.discovery import SourceDegraded, check_refusal
from tracker.sources.documents import UnsupportedDocument, kind_of

# Fetched from the API; a publication is addressed by its public page.
SOURCE = Source(
    name="parliament", title="UK Parliament", base_url="https://questions-statements-api.parliament.uk",
    hosts=frozenset({"questions-statements.parliament.uk"}),
    speaker="parliament", publisher="UK Parliament written questions and statements", order=6,
)

SITE = "https://questions-statements.parliament.uk"
DHSC_BODY_ID = 17  # the answering body id of the Department of Health and Social Care
DHSC_NAMES = {"department of health and social care", "department of health"}
PAGE_SIZE = 50
MAX_PAGES = 10  # per search term and endpoint
LEADERSHIP_TERMS = ("NHS leadership", "NHS managers", "fit and proper person", "leadership review",
                    "NHS chief executives", "talent management")
QUESTIONS = "/api/writtenquestions/questions"
STATEMENTS = "/api/writtenstatements/statements"


def search_terms(settings=None) -> list[str]:
    """The tracked reviews' titles and aliases, then leadership terms; each once (case-insensitive)."""
    terms, seen = [], set()
    for term in (*(t for r in tracked_reviews(settings) for t in (r.title, *r.aliases)), *LEADERSHIP_TERMS):
        key = " ".join(term.lower().split())
        if key and key not in seen:
            seen.add(key)
            terms.append(" ".join(term.split()))
    return terms


def search_url(base_url: str, endpoint: str, term: str, since: date | None, skip: int) -> str:
    params = [("searchTerm", term), ("answeringBodies", str(DHSC_BODY_ID)), ("take", str(PAGE_SIZE)),
              ("skip", str(skip))]
    if endpoint == QUESTIONS:
        params.append(("answered", "Answered"))
        if since:
            params.append(("answeredWhenFrom", since.isoformat()))
    elif since:
        params.append(("madeWhenFrom", since.isoformat()))
    return f"{base_url}{endpoint}?{urlencode(params)}"


def item_url(base_url: str, endpoint: str, item_id: int) -> str:
    return f"{base_url}{endpoint}/{int(item_id)}?expandMember=true"


def _dhsc(value: dict) -> bool:
    body_id = value.get("answeringBodyId")
    if body_id is not None:
        return str(body_id) == str(DHSC_BODY_ID)
    return clean(str(value.get("answeringBodyName") or "")).lower() in DHSC_NAMES


def _latest(value: dict) -> date | None:
    dates = (parse_date(value.get(k)) for k in ("dateAnswerCorrected", "dateAnswered", "dateMade"))
    return max((d for d in dates if d), default=None)


def _search_rows(fetcher, base_url: str, endpoint: str, term: str, since: date | None) -> Iterator[dict]:
    """Every row a search finds, page by page (`skip`) to `totalResults`."""
    skip = 0
    for _ in range(MAX_PAGES):
        result = fetcher.get(search_url(base_url, endpoint, term, since, skip), conditional=False)
        check_refusal(result, "Parliament questions and statements API")
        if not result.ok:
            return
        try:
            data = result.json()
            results = list(data.get("results") or [])
            total = int(data.get("totalResults") or 0)
        except (ValueError, AttributeError, TypeError) as exc:
            raise SourceDegraded(f"questions and statements API did not answer JSON ({exc})") from exc
        yield from results
        skip += len(results)
        if not results or skip >= total:
            return


def _candidate(base_url: str, endpoint: str, row, since: date | None) -> Candidate | None:
    """A DHSC answer or statement from a search row, or None (another body's, withdrawn, unanswered, too old)."""
    value = row.get("value") if isinstance(row, dict) else None
    if not isinstance(value, dict) or not str(value.get("id") or "").isdigit():
        return None  # not a question or statement this adapter can address
    if not _dhsc(value) or value.get("isWithdrawn"):
        return None
    if endpoint == QUESTIONS and not (value.get("answerText") or value.get("dateAnswered")):
        return None  # not answered yet: nothing the government said
    when = _latest(value)
    if since and when and when < since:
        return None
    return Candidate(url=item_url(base_url, endpoint, value["id"]),
                     title=clean(str(value.get("heading") or value.get("title") or "")), published=when,
                     document_type="written_answer" if endpoint == QUESTIONS else "written_statement")


def _html_blocks(html: str | None, role: str) -> list[Block]:
    if not html or not str(html).strip():
        return []
    return html_to_blocks(str(html), role=role) or [Block("paragraph", clean(str(html)), role=role)]


def _member(value: dict, key: str) -> str:
    member = value.get(key) or {}
    return clean(str(member.get("name") or member.get("nameDisplayAs") or "")) if isinstance(member, dict) else ""


def _attachments(value: dict) -> tuple[Attachment, ...]:
    out = []
    for att in value.get("attachments") or []:
        url = (att or {}).get("url") or (att or {}).get("link")
        if url:
            pdf = "pdf" in str(att.get("fileType") or "").lower() or str(url).lower().endswith(".pdf")
            ctype = "application/pdf" if pdf else ""
            out.append(Attachment(url=str(url), title=clean(str(att.get("title") or att.get("fileName") or "")),
                                  content_type=ctype))
    return tuple(out)


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _date_path(value: str | None) -> str:
    d = parse_date(value)
    return d.isoformat() if d else ""


def parse_question(value: dict, sha: str) -> Publication:
    uin = clean(str(value.get("uin") or value.get("id")))
    corrected_on = parse_date(value.get("dateAnswerCorrected"))
    answered_on = parse_date(value.get("dateAnswered"))
    heading = clean(str(value.get("heading") or "Written question"))
    asker, minister = _member(value, "askingMember"), _member(value, "answeringMember")
    tabled_on = parse_date(value.get("dateTabled"))
    blocks = [Block("heading", f"Question {uin}" + (f" asked by {asker}" if asker else "")
                    + (f", tabled {_day(tabled_on)}" if tabled_on else ""), level=2, role="question")]
    blocks += _html_blocks(value.get("questionText"), "question")
    blocks.append(Block("heading", "Answer" + (f" by {minister}" if minister else "")
                        + (f", {_day(answered_on)}" if answered_on else "")
                        + (f", corrected {_day(corrected_on)}" if corrected_on else ""), level=2))
    blocks += _html_blocks(value.get("answerText"), "body")
    if corrected_on and value.get("originalAnswerText"):
        # the answer as first given, before the correction: context, no longer the government's word
        blocks.append(Block("heading", "Original answer (corrected)", level=2, role="superseded"))
        blocks += _html_blocks(value.get("originalAnswerText"), "superseded")
    return Publication(
        url=f"{SITE}/written-questions/detail/{_date_path(value.get('dateTabled'))}/{uin}",
        source="parliament",
        title=f"{heading}: written question {uin}",
        published_on=corrected_on or answered_on,
        updated_on=corrected_on,
        document_type="corrected_written_answer" if corrected_on else "written_answer",
        blocks=blocks,
        authors=tuple(filter(None, (minister,))),
        topics=(heading,),
        summary=clean(str(value.get("questionText") or ""))[:300],
        attachments=_attachments(value),
        content_sha256=sha,
    )


def parse_statement(value: dict, sha: str) -> Publication:
    uin = clean(str(value.get("uin") or value.get("id")))
    minister = _member(value, "member") or clean(str(value.get("memberName") or ""))
    title = clean(str(value.get("title") or "Written statement"))
    role = clean(str(value.get("memberRole") or ""))
    made_by = ", ".join(filter(None, (minister, role)))
    blocks = [Block("heading", title, level=1)]
    if made_by:
        blocks.append(Block("paragraph", f"Statement made by {made_by}"))
    blocks += _html_blocks(value.get("text"), "body")
    return Publication(
        url=f"{SITE}/written-statements/detail/{_date_path(value.get('dateMade'))}/{uin}",
        source="parliament",
        title=title,
        published_on=parse_date(value.get("dateMade")),
        document_type="written_statement",
        blocks=blocks,
        authors=tuple(filter(None, (minister,))),
        attachments=_attachments(value),
        content_sha256=sha,
    )


class Parliament(SourceAdapter):
    source = SOURCE
    # Search pages end at /questions or /statements; one answer or statement is /questions/<id>.
    not_documents = (r"/api/written(?:questions/questions|statements/statements)/?(?:\?|$)",)

    def discover(self, fetcher, base_url: str, since: date | None) -> Iterator[Candidate]:
        """Each DHSC answer or statement that a review name, alias or leadership term finds, once."""
        seen: set[str] = set()
        for term in search_terms(getattr(fetcher, "settings", None)):
            for endpoint in (QUESTIONS, STATEMENTS):
                for row in _search_rows(fetcher, base_url, endpoint, term, since):
                    candidate = _candidate(base_url, endpoint, row, since)
                    if candidate is not None and candidate.url not in seen:
                        seen.add(candidate.url)
                        yield candidate

    def read_links(self, capture: Capture) -> Publication:
        """An answer's or statement's attachments, its text left unread."""
        if kind_of(capture.content_type, capture.body) != "json":
            return super().read_links(capture)
        data = json.loads(capture.body)
        value = data.get("value") if isinstance(data, dict) else None
        return links_only(capture, self.name, _attachments(value) if isinstance(value, dict) else ())

    def parse_json(self, capture: Capture) -> Publication:
        try:
            data = json.loads(capture.body)
        except ValueError as exc:
            raise UnsupportedDocument(f"unreadable JSON: {exc}") from exc
        value = data.get("value") if isinstance(data, dict) else None
        if not isinstance(value, dict):
            raise UnsupportedDocument("not a written question or statement (no 'value' object)")
        sha = hashlib.sha256(capture.body).hexdigest()
        path = urlsplit(capture.url).path
        if "/writtenstatements/" in path or ("dateMade" in value and "questionText" not in value):
            return parse_statement(value, sha)
        return parse_question(value, sha)
