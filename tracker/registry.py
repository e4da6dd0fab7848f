"""The registry of tracked reviews, and which documents belong to which review.

The built-in registry (`tracker/reviews.toml`) ships with the package; an analyst's own file
(`$TRACKER_HOME/reviews.toml`, or the file `TRACKER_REGISTRY` names) is merged over it: an entry
with a new `review_id` adds a review, one with a built-in `review_id` changes only the fields it
gives. Both files are checked against one schema (`FIELDS`); a bad file is a RegistryError naming
the file, the line and the field.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path

from tracker.errors import TrackerError
from tracker.items import Publication, Review

REGISTRY_FILE = Path(__file__).with_name("reviews.toml")
KINDS = ("recommendations", "commitments")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class RegistryError(TrackerError, ValueError):
    """A registry file that cannot be used: bad TOML, an unknown field, a wrong type, a duplicate id."""


def _text(v):
    return isinstance(v, str) and v.strip() != ""


def _url(v):
    return isinstance(v, str) and re.match(r"^https?://[^\s/?#]+[^\s]*$", v) is not None


def _texts(v):
    return isinstance(v, list) and all(_text(x) for x in v)


def _urls(v):
    return isinstance(v, list) and all(_url(x) for x in v)


# Every field a [[review]] entry may have: field -> (what its value must be, as an error says it; the check).
FIELDS = {
    "review_id": ("a short id of lower-case letters, digits and hyphens (e.g. \"francis-2013\")",
                  lambda v: isinstance(v, str) and _ID.match(v) is not None),
    "title": ("a non-empty string", _text),
    "short_name": ("a non-empty string (e.g. \"Kark review (2019)\")", _text),
    "publisher": ("a string", lambda v: isinstance(v, str)),
    "published_on": ("a date written without quotes (e.g. 2019-02-06)",
                     lambda v: isinstance(v, date) and not hasattr(v, "hour")),
    "url": ("an http(s) URL", _url),
    "documents": ("a list of http(s) URLs", _urls),
    "expected_recommendations": ("a whole number of at least 1",
                                 lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1),
    "aliases": ("a list of non-empty strings", _texts),
    "surname": ("a non-empty string", _text),
    "kind": (f"one of {', '.join(repr(k) for k in KINDS)}", lambda v: v in KINDS),
    "paragraphs": ("a list of non-empty strings (e.g. [\"4.50\", \"4.51\"])", _texts),
}


def _describe(value) -> str:
    kind = {str: "a string", bool: "true/false", int: "a number", float: "a number", list: "a list",
            dict: "a table", date: "a date"}.get(type(value), type(value).__name__)
    shown = repr(value) if not isinstance(value, (list, dict)) else ""
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return f"{shown} ({kind})" if shown else kind


def _lines(text: str) -> list[dict[str, int]]:
    """Per [[review]] entry, the line of its header ("[[review]]") and of each key it sets.

    tomllib gives values without positions; errors must name a line, so the keys are found again in
    the text (a key's line is the line its `key =` starts on)."""
    entries: list[dict[str, int]] = []
    top: dict[str, int] = {}
    current = top
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if re.match(r"^\[\[\s*review\s*\]\]", line):
            current = {"[[review]]": n}
            entries.append(current)
        elif m := re.match(r"^\[+\s*([^\]]*?)\s*\]", line):
            top.setdefault(f"[{m.group(1)}]", n)
            current = {}
        elif m := re.match(r"""^("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""", line):
            current.setdefault(m.group(1).strip("\"'"), n)
    return [top, *entries]


@dataclasses.dataclass(frozen=True)
class _Entry:
    values: dict
    lines: dict[str, int]


def _read_file(path: Path) -> list[_Entry]:
    """The [[review]] entries of one registry file, each field checked; RegistryError on the first problem."""
    text, data = _read_toml(path)
    top, *blocks = _lines(text)
    rows = _review_tables(path, data, top)
    entries = []
    for i, row in enumerate(rows):
        lines = blocks[i] if i < len(blocks) else {}
        _check_review(path, i, row, lines)
        entries.append(_Entry(row, lines))
    _check_unique(path, entries)
    return entries


def _read_toml(path: Path) -> tuple[str, dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryError(f"{path}: no such registry file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read the registry file ({exc})") from None
    try:
        return text, tomllib.loads(text)
    except RecursionError:  # tomllib recurses per level: a file nested 100,000 deep
        raise RegistryError(f"{path}: TOML nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        what = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        where = f" line {m.group(1)}" if m else ""
        raise RegistryError(f"{path}{where}: TOML syntax error: {what}") from None


def _review_tables(path: Path, data: dict, top: dict[str, int]) -> list:
    """The [[review]] tables; any other top-level key is an error."""
    for key in data:
        if key != "review":
            line = top.get(key) or top.get(f"[{key}]") or next(
                (v for k, v in top.items() if k.startswith(f"[{key}")), None)
            raise RegistryError(f"{path}{_at(line)}: unknown field {key!r} at the top level "
                                "(each review is a [[review]] table)")
    rows = data.get("review", [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise RegistryError(f"{path}{_at(top.get('review') or top.get('[review]'))}: field 'review' must be "
                            "[[review]] tables, one per review")
    return rows


def _check_review(path: Path, i: int, row: dict, lines: dict[str, int]) -> None:
    """Every field of review #i known and of its type, and a review_id."""
    header = lines.get("[[review]]")
    for key, value in row.items():
        line = lines.get(key, header)
        if key not in FIELDS:
            raise RegistryError(f"{path}{_at(line)}: unknown field {key!r} in review "
                                f"{row.get('review_id', '#' + str(i + 1))!r} (fields: {', '.join(FIELDS)})")
        what, ok = FIELDS[key]
        if not ok(value):
            got = _describe(value)
            if isinstance(value, list):  # name the item that is wrong
                item = next((x for x in value if not ok([x])), None)
                got = f"{_describe(item)} in the list" if item is not None else got
            raise RegistryError(f"{path}{_at(line)}: field {key!r} must be {what}, got {got}")
    if "review_id" not in row:
        raise RegistryError(f"{path}{_at(header)}: field 'review_id' is missing from review #{i + 1}")


def _check_unique(path: Path, entries: list[_Entry]) -> None:
    seen: dict[str, int | None] = {}
    for entry in entries:
        rid = entry.values["review_id"]
        line = entry.lines.get("review_id")
        if rid in seen:
            raise RegistryError(f"{path}{_at(line)}: field 'review_id': duplicate review_id {rid!r}"
                                f" (first at line {seen[rid]})")
        seen[rid] = line


def _at(line: int | None) -> str:
    return f" line {line}" if line else ""


def _review(values: dict, origin: str) -> Review:
    return Review(
        review_id=values["review_id"],
        title=values["title"],
        publisher=values.get("publisher", ""),
        published_on=values.get("published_on"),
        url=values.get("url"),
        expected_recommendations=values.get("expected_recommendations"),
        aliases=tuple(values.get("aliases", ())),
        kind=values.get("kind", "recommendations"),
        paragraphs=tuple(values.get("paragraphs", ())),
        surname=values.get("surname", ""),
        short_name=values.get("short_name") or values["title"],
        documents=tuple(values.get("documents", ())),
        origin=origin,
    )


@lru_cache(maxsize=8)
def _load(builtin: Path, user: Path | None, stamps: tuple) -> tuple[Review, ...]:
    base = _read_file(builtin)
    merged: dict[str, tuple[dict, str]] = {e.values["review_id"]: (dict(e.values), "built_in") for e in base}
    if user is not None:
        for entry in _read_file(user):
            rid = entry.values["review_id"]
            if rid in merged:  # an override: the fields given replace the built-in ones
                merged[rid] = ({**merged[rid][0], **entry.values}, "analyst_override")
            else:
                merged[rid] = (dict(entry.values), "analyst")
                if "title" not in entry.values:
                    line = entry.lines.get("review_id")
                    raise RegistryError(f"{user}{_at(line)}: field 'title' is missing from new review {rid!r} "
                                        "(only a built-in review can be changed without one)")
    return tuple(_review(values, origin) for values, origin in merged.values())


def _stamp(path: Path | None) -> tuple:
    if path is None:
        return ()
    try:
        st = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), st.st_mtime_ns, st.st_size)


def load_reviews(path: Path = REGISTRY_FILE, user: Path | None = None) -> tuple[Review, ...]:
    """The reviews of the registry file `path` (the built-in one), with `user`'s entries merged over them."""
    return _load(path, user, (_stamp(path), _stamp(user)))


def user_registry(settings) -> Path | None:
    """The analyst's registry file: TRACKER_REGISTRY (which must exist), else $TRACKER_HOME/reviews.toml if present."""
    if settings.registry_file is not None:
        return settings.registry_file
    own = settings.home / "reviews.toml"
    return own if own.is_file() else None


def reviews_for(settings) -> tuple[Review, ...]:
    """The tracked reviews for a run: the built-in registry with the analyst's file merged over it."""
    return load_reviews(REGISTRY_FILE, user_registry(settings))


def registry_digest(reviews: tuple[Review, ...]) -> bytes:
    """What the reviews say (not how the files are laid out): part of the extraction fingerprint."""
    return hashlib.sha256(repr(reviews).encode()).digest()


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _norm(text: str) -> str:
    return _NOT_ALNUM.sub(" ", text.lower().replace("\u2019", "'")).strip()


def _strip_url(url: str) -> str:
    return url.split("#")[0].split("?")[0].rstrip("/")


@lru_cache(maxsize=256)  # asked for every document against every review
def own_urls(review: Review) -> frozenset[str]:
    """The review's own documents: its page and the documents the registry lists for it."""
    return frozenset(_strip_url(u) for u in (review.url, *review.documents) if u)


def title_matches(review: Review, title: str) -> bool:
    """A document title names the review: it contains the review's title or one of its long aliases."""
    t = _norm(title)
    return bool(t) and any(name in t for name in _long_names(review))


@lru_cache(maxsize=256)
def _long_names(review: Review) -> tuple[str, ...]:
    """The review's title and long aliases, normalised as titles are."""
    return tuple(n for n in map(_norm, [review.title, *(a for a in review.aliases if len(a) >= 20)]) if n)


def _parent_url(pub: Publication, parents: dict[str, Publication]) -> str | None:
    url = _strip_url(pub.url)
    parent = parents.get(url) or (parents.get(_strip_url(pub.parent_url)) if pub.parent_url else None)
    return _strip_url(parent.url) if parent else (_strip_url(pub.parent_url) if pub.parent_url else None)


def linked_to_review(pub: Publication, review: Review, parents: dict[str, Publication]) -> bool:
    """Is the document one of the review's own (its page or a listed document), or an attachment or child
    of one (not merely titled like it)?"""
    own = own_urls(review)
    return bool(own) and (_strip_url(pub.url) in own or _parent_url(pub, parents) in own)


def owning_review(pub: Publication, reviews: tuple[Review, ...], parents: dict[str, Publication]) -> Review | None:
    """The review a document belongs to: its page or a listed document, an attachment or child of one, or by title.

    `parents` maps a URL to the publication that links it as an attachment or child.
    """
    url = _strip_url(pub.url)
    for review in reviews:
        if url in own_urls(review):
            return review
    parent_url = _parent_url(pub, parents)
    for review in reviews:
        if parent_url and parent_url in own_urls(review):
            return review
    if _RESPONSE_TITLE.search(pub.title) or pub.document_type in _RESPONSE_TYPES:
        return None  # a response or update that repeats the review's title is not the review
    for review in reviews:
        if title_matches(review, pub.title):
            return review
    return None


_RESPONSE_TITLE = re.compile(r"\b(response|progress|update|one year on|implementation|accepts?)\b", re.I)
_RESPONSE_TYPES = {"government_response", "press_release", "news_story", "written_statement", "speech"}
