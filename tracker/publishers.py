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


@dataclass(frozen=True)
class Publisher:
    kind: str  # one of tracker.vocabulary.SPEAKERS except reported_official (that is a sentence's, not a host's)
    name: str  # short, as an analyst would cite it: "DHSC", "The King's Fund"


# host suffix -> publisher; the first suffix that matches wins, so the more specific come first.
HOSTS: tuple[tuple[str, Publisher], ...] = (
    ("hansard.parliament.uk", Publisher("parliament", "Hansard")),
    ("questions-statements.parliament.uk", Publisher("parliament", "UK Parliament written questions and statements")),
    ("committees.parliament.uk", Publisher("parliament", "UK Parliament committee")),
    ("parliament.uk", Publisher("parliament", "UK Parliament")),
    ("longtermplan.nhs.uk", Publisher("implementing_body", "NHS England")),
    ("england.nhs.uk", Publisher("implementing_body", "NHS England")),
    ("improvement.nhs.uk", Publisher("implementing_body", "NHS Improvement")),
    ("hee.nhs.uk", Publisher("implementing_body", "Health Education England")),
    ("leadershipacademy.nhs.uk", Publisher("implementing_body", "NHS Leadership Academy")),
    ("cqc.org.uk", Publisher("regulator", "Care Quality Commission")),
    ("hcpc-uk.org", Publisher("regulator", "Health and Care Professions Council")),
    ("nmc.org.uk", Publisher("regulator", "Nursing and Midwifery Council")),
    ("gmc-uk.org", Publisher("regulator", "General Medical Council")),
    ("kingsfund.org.uk", Publisher("independent", "The King's Fund")),
    ("nhsproviders.org", Publisher("independent", "NHS Providers")),
    ("nhsconfed.org", Publisher("independent", "NHS Confederation")),
    ("nhsemployers.org", Publisher("independent", "NHS Employers")),
    ("health.org.uk", Publisher("independent", "The Health Foundation")),
    ("nuffieldtrust.org.uk", Publisher("independent", "Nuffield Trust")),
    ("hsj.co.uk", Publisher("independent", "HSJ")),
    ("gov.uk", Publisher("government", "DHSC")),
)

# GOV.UK organisation titles (links.organisations) -> publisher, matched on the lowercased title.
ORGANISATIONS: dict[str, Publisher] = {
    "department of health and social care": Publisher("government", "DHSC"),
    "department of health": Publisher("government", "Department of Health"),
    "nhs improvement": Publisher("implementing_body", "NHS Improvement"),
    "nhs england": Publisher("implementing_body", "NHS England"),
    "health education england": Publisher("implementing_body", "Health Education England"),
    "care quality commission": Publisher("regulator", "Care Quality Commission"),
}

_GOVUK_HOSTS = ("www.gov.uk", "gov.uk", "assets.publishing.service.gov.uk")
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
    if host in _GOVUK_HOSTS:
        for org in organisations or ():
            found = ORGANISATIONS.get(" ".join(org.lower().split()))
            if found:
                return found
    for suffix, publisher in HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return publisher
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
