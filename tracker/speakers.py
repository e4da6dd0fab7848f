"""Who publishes a document: the kind of speaker (tracker.vocabulary.SPEAKERS) and a name to cite.

The kind decides how much a statement weighs (an owning body's decision against a commentator's
view); the name is what the briefing and the exports print next to every quote. Both come from the
host, the web archive's original host for archived pages, and for GOV.UK from the organisations
the Content API lists: GOV.UK hosts NHS Improvement's and NHS England's papers beside DHSC's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from tracker.sourcelist import BY_NAME, DECLARED, Source


@dataclass(frozen=True)
class Publisher:
    kind: str  # one of tracker.vocabulary.SPEAKERS except reported_official (that is a sentence's, not a host's)
    name: str  # short, as an analyst would cite it: "DHSC", "The King's Fund"


# Publishers by host suffix, in the order the methodology page lists them; a host's publisher is its most
# specific suffix's. A source stands here by its name, for its declared publisher on its declared hosts
# (tracker/sourcelist.py); a source named nowhere is listed last, so none falls to "independent".
_LISTED: tuple[tuple[str, Publisher] | str, ...] = (
    ("hansard.parliament.uk", Publisher("parliament", "Hansard")),
    "parliament",
    ("committees.parliament.uk", Publisher("parliament", "UK Parliament committee")),
    ("parliament.uk", Publisher("parliament", "UK Parliament")),
    ("longtermplan.nhs.uk", Publisher("implementing_body", "NHS England")),
    "nhse",
    "nhsi",
    ("hee.nhs.uk", Publisher("implementing_body", "Health Education England")),
    ("leadershipacademy.nhs.uk", Publisher("implementing_body", "NHS Leadership Academy")),
    ("cqc.org.uk", Publisher("regulator", "Care Quality Commission")),
    ("hcpc-uk.org", Publisher("regulator", "Health and Care Professions Council")),
    ("nmc.org.uk", Publisher("regulator", "Nursing and Midwifery Council")),
    ("gmc-uk.org", Publisher("regulator", "General Medical Council")),
    "kingsfund",
    "nhsproviders",
    ("nhsconfed.org", Publisher("independent", "NHS Confederation")),
    ("nhsemployers.org", Publisher("independent", "NHS Employers")),
    ("health.org.uk", Publisher("independent", "The Health Foundation")),
    ("nuffieldtrust.org.uk", Publisher("independent", "Nuffield Trust")),
    ("hsj.co.uk", Publisher("independent", "HSJ")),
    "dhsc",
)


def source_lines(source: Source) -> tuple[tuple[str, Publisher], ...]:
    """A source's lines of the table: its hosts but those under another of them, each with its publisher."""
    publisher = Publisher(source.speaker, source.publisher)
    return tuple((host, publisher) for host in sorted(source.hosts)
                 if not any(host.endswith("." + other) for other in source.hosts))


def publisher_table(listed: tuple[tuple[str, Publisher] | str, ...],
                    sources: tuple[Source, ...]) -> tuple[tuple[str, Publisher], ...]:
    """The listed publishers, each source in its place, then the sources listed nowhere."""
    by_name = {source.name: source for source in sources}
    unlisted = [name for name in by_name if name not in listed]
    return tuple(entry for line in (*listed, *unlisted)
                 for entry in (source_lines(by_name[line]) if isinstance(line, str) else (line,)))


HOSTS = publisher_table(_LISTED, DECLARED)
_BY_SUFFIX = dict(HOSTS)

# GOV.UK organisation titles (links.organisations) -> publisher, matched on the lowercased title.
ORGANISATIONS: dict[str, Publisher] = {
    "department of health and social care": Publisher("government", "DHSC"),
    "department of health": Publisher("government", "Department of Health"),
    "nhs improvement": Publisher("implementing_body", "NHS Improvement"),
    "nhs england": Publisher("implementing_body", "NHS England"),
    "health education england": Publisher("implementing_body", "Health Education England"),
    "care quality commission": Publisher("regulator", "Care Quality Commission"),
}

_ARCHIVED = re.compile(r"/https?:/{1,2}([^/]+)", re.I)


def original_host(url: str) -> str:
    """The host a document was published on: for the UK Government Web Archive, the archived page's own."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "webarchive.nationalarchives.gov.uk":
        m = _ARCHIVED.search(parts.path)
        if m:
            return m.group(1).lower().split(":")[0]
    return host


def publisher_of(url: str, organisations: tuple[str, ...] | list[str] = ()) -> Publisher:
    """The publisher of the document at url; organisations are GOV.UK's own (ignored for other hosts,
    where a page's authors are people, not bodies)."""
    host = original_host(url)
    if host in BY_NAME["dhsc"].hosts:
        for org in organisations or ():
            found = ORGANISATIONS.get(" ".join(org.lower().split()))
            if found:
                return found
    if suffix := max((s for s in _BY_SUFFIX if host == s or host.endswith("." + s)), key=len, default=""):
        return _BY_SUFFIX[suffix]
    return Publisher("independent", host.removeprefix("www.") or "unknown publisher")


def speaker_of(url: str, organisations: tuple[str, ...] | list[str] = ()) -> str:
    """The kind of publisher (government, implementing_body, parliament, regulator, independent)."""
    return publisher_of(url, organisations).kind


def cite(publisher: str | None, title: str | None, published_on: date | None, limit: int = 90) -> str:
    """How a quote is attributed in the briefing and exports: "DHSC — Title, 16 Aug 2019"."""
    title = " ".join((title or "").split())
    if len(title) > limit:
        title = title[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
    head = " \u2014 ".join(x for x in (publisher or "", title) if x) or "unknown source"
    when = f"{published_on.day} {published_on:%b %Y}" if published_on else "undated"
    return f"{head}, {when}"
