"""Fault injection for crash-consistency tests: TRACKER_KILL_AT=<point> kills the process there.

Off unless the variable is set; the named points sit where a real crash would hurt most.
"""

from __future__ import annotations

import os
import signal

POINTS = ("archive-write", "parse", "extract", "publish-log", "publish-build", "publish-swap")


def checkpoint(name: str) -> None:
    if os.environ.get("TRACKER_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
