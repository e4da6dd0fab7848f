"""Fallback adapter (source "other"): any HTML page or PDF, e.g. a registry review hosted on another site."""

from __future__ import annotations

from tracker.sources.base import SourceAdapter


class Generic(SourceAdapter):
    """Owns every host no publisher owns; never crawled on its own (no base URL, no discovery)."""

    name = "other"
    title = "another site"

    def owns(self, url: str) -> bool:
        return True

    def document_type(self, url: str, meta=None) -> str:
        return (meta.page_type if meta is not None else "") or "web_page"
