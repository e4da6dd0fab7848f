"""The sources: each publisher the tracker reads, declared once.

Its adapter (tracker/sources/<name>.py) holds its declaration and reads its pages; the source names and
base URLs of tracker.settings, the fetcher's allowlist, the publisher table of tracker.speakers, the
choices of the command line and the DAG, and the README's table of sources all derive from these. Standard
library only: settings, and through it the DAG file and `tracker --help`, read this without the adapters.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    name: str  # publications.source, the crawl's WARC prefix and state file, TRACKER_BASE_URL_<NAME>
    title: str  # the publisher in messages ("NHS England's pages cannot be discovered")
    base_url: str  # where discovery starts; the adapter reads its host's pages too
    # The hosts its publications live on: allowed and read; they and every host under them speak as its publisher.
    hosts: frozenset[str]
    speaker: str  # the kind of speaker its publications are (one of tracker.vocabulary.SPEAKERS)
    publisher: str  # the name its quotes are cited with
    listings: tuple[str, ...] = ()  # listing page paths under the base URL, read when robots.txt names no sitemap


DHSC = Source(
    name="dhsc", title="GOV.UK", base_url="https://www.gov.uk",
    hosts=frozenset({"www.gov.uk", "gov.uk", "assets.publishing.service.gov.uk"}),
    speaker="government", publisher="DHSC",
)
KINGSFUND = Source(
    name="kingsfund", title="The King's Fund", base_url="https://www.kingsfund.org.uk",
    hosts=frozenset({"www.kingsfund.org.uk", "kingsfund.org.uk", "assets.kingsfund.org.uk"}),
    speaker="independent", publisher="The King's Fund",
    listings=tuple(f"/insight-and-analysis/{kind}" for kind in ("reports", "long-reads", "blogs", "articles")),
)
NHSPROVIDERS = Source(
    name="nhsproviders", title="NHS Providers", base_url="https://nhsproviders.org",
    hosts=frozenset({"nhsproviders.org", "www.nhsproviders.org"}),
    speaker="independent", publisher="NHS Providers", listings=("/resources", "/news-blogs/blogs"),
)
# Read from the UK Government Web Archive: its publications' hosts are the archived pages' own.
NHSI = Source(
    name="nhsi", title="NHS Improvement", base_url="https://webarchive.nationalarchives.gov.uk",
    hosts=frozenset({"improvement.nhs.uk"}), speaker="implementing_body", publisher="NHS Improvement",
)
# The Long Term Plan site is NHS England's too, but not this source's: a review's, read by the generic adapter.
NHSE = Source(
    name="nhse", title="NHS England", base_url="https://www.england.nhs.uk",
    hosts=frozenset({"www.england.nhs.uk", "england.nhs.uk"}), speaker="implementing_body", publisher="NHS England",
)
# Fetched from the API; a publication is addressed by its public page.
PARLIAMENT = Source(
    name="parliament", title="UK Parliament", base_url="https://questions-statements-api.parliament.uk",
    hosts=frozenset({"questions-statements.parliament.uk"}),
    speaker="parliament", publisher="UK Parliament written questions and statements",
)

DECLARED: tuple[Source, ...] = (DHSC, KINGSFUND, NHSPROVIDERS, NHSI, NHSE, PARLIAMENT)
