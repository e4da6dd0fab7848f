"""What every page needs to link things up: archived copies, citations, review names, which
recommendation pages and downloads exist, and where the site's root is from the page being written."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from tracker.publish.site.capture_manifest import Stored


@dataclass(frozen=True)
class Context:
    archived: dict[str, Stored]  # publication url -> its archived copy
    citations: dict[str, str]  # publication url -> "Publisher — Title, 16 Aug 2019"
    names: dict[str, str]  # review_id -> "Kark review (2019)"
    pages: frozenset[str]  # recommendation keys ("kark-2019-6") that have a page
    downloads: tuple[str, ...]  # file names inside site/downloads/
    root: str = ""  # "" on index.html, "../" on recommendations/*.html
    as_at: str = ""  # the "as at DATE (data to DATE)" line every page carries (figures.as_at)
    stale_cutoff: date | None = None  # a status with no statement since is flagged (figures.quiet_since)
    site_url: str = ""  # TRACKER_SITE_URL, ending in "/": where the site is served, for permalinks
    corrections_email: str = ""  # TRACKER_CORRECTIONS_EMAIL: "Report an error" also offers an email there

    def permalink(self, name: str) -> str:
        """The address to share for a page of the site: on TRACKER_SITE_URL when set, else relative to the root."""
        return f"{self.site_url}{name}" if self.site_url else f"{self.root}{name}"

    def at(self, root: str) -> Context:
        return replace(self, root=root)

    def archived_link(self, url: str | None) -> tuple[str, str] | None:
        copy = self.archived.get(url or "")
        return copy.link if copy else None

    def page_link(self, review_id: str | None, number, text: str) -> str:
        """A link to a recommendation's page, when it has one; else the text."""
        from tracker.publish.site.markup import e

        key = f"{review_id}-{number}"
        if key in self.pages:
            return f"<a href='{e(self.root)}recommendations/{e(key)}.html'>{e(text)}</a>"
        return e(text)
