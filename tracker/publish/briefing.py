"""The HTML briefing. It lives in tracker/publish/site/ (one module per page kind); this name stays for
the callers that import it from here."""

from tracker.publish.site import write_briefing, write_captures

__all__ = ["write_briefing", "write_captures"]
