"""The small dataclasses that flow between stages: captures, documents, recommendations, evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Capture:
    """One archived HTTP response: the exact bytes a document was read from."""

    url: str
    fetched_at: datetime
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    source: str | None = None  # a hint recorded at capture time (e.g. by `tracker ingest`)
    published_hint: date | None = None
    warc_file: str = ""
    warc_offset: int = 0


@dataclass(frozen=True)
class Block:
    """One unit of structured text: a heading, paragraph, list item or table row."""

    kind: str  # heading | paragraph | list_item | table_row
    text: str
    level: int = 0  # heading level, or list nesting depth (0 = top)
    label: str = ""  # a list item's number as printed or implied ("3", "4.51", "b")
    page: int | None = None  # PDF page, 1-based
    # body | comment | quote | banner | navigation | question | superseded: only body is the publisher's
    role: str = "body"


@dataclass(frozen=True)
class Attachment:
    url: str
    title: str = ""
    content_type: str = ""


@dataclass
class Publication:
    """A parsed document: metadata plus its body as structured blocks."""

    url: str
    source: str
    title: str
    published_on: date | None
    document_type: str
    blocks: list[Block]
    fetched_at: datetime | None = None
    content_sha256: str = ""
    capture_url: str = ""
    updated_on: date | None = None
    authors: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    summary: str = ""
    attachments: tuple[Attachment, ...] = ()
    parent_url: str | None = None
    children: tuple[str, ...] = ()
    has_text: bool = True


@dataclass(frozen=True)
class Review:
    """A tracked review, from the registry."""

    review_id: str
    title: str
    publisher: str
    published_on: date | None
    url: str | None
    expected_recommendations: int | None
    aliases: tuple[str, ...] = ()
    kind: str = "recommendations"  # or "commitments" for plan-style numbered paragraphs
    paragraphs: tuple[str, ...] = ()  # for commitments: which numbered paragraphs hold them
    surname: str = ""  # names the review only before "review", "report" or "recommendation"
    short_name: str = ""  # what analysts call it: "Kark review (2019)"
    documents: tuple[str, ...] = ()  # URLs of its own documents besides `url` (e.g. the report's PDF)
    origin: str = "built_in"  # built_in, analyst (added in the analyst's registry) or analyst_override


@dataclass(frozen=True)
class Recommendation:
    review_id: str
    number: int
    text: str
    theme: str
    source_url: str
    page: int | None = None
    ref: str = ""  # how the document labels it ("Recommendation 3", "4.52")
    method: str = "rule"  # or "analyst" when added by a correction


@dataclass(frozen=True)
class Evidence:
    review_id: str
    number: int
    axis: str  # response | implementation
    status: str
    quote: str
    source_url: str
    published_on: date | None
    method: str = "rule"
    confidence: float = 0.9
    speaker: str = ""  # who speaks (tracker.vocabulary.SPEAKERS); "" for analyst rows
    basis: str = ""  # how the rules found its recommendations (tracker.extract.basis.BASES); "" for analyst rows


@dataclass(frozen=True)
class Unresolved:
    """A statement about a tracked review with a status but no recommendation the machine can tie it to."""

    review_id: str
    quote: str
    source_url: str
    published_on: date | None
    predicate: str
    axis: str
    status: str
    why: str
    speaker: str = ""


@dataclass(frozen=True)
class Candidate:
    """A publication URL found by an adapter's discover(), with whatever the listing says about it."""

    url: str
    title: str = ""
    published: date | None = None
    document_type: str = ""
