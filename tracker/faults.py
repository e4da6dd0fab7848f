"""Fault injection for crash-consistency tests: TRACKER_KILL_AT=<point> kills the process there.

Off unless the variable is set; the named points sit where a real crash would hurt most.

TRACKER_KILL_AT is deliberately not a field of Settings: it describes no deployment, only a test's
child process, and the checkpoints sit in code that is not handed the settings (the WARC writer, the
publish swap). It is read once, when this module is first imported; the tests set it in the
environment of the `tracker` process they start.
"""

from __future__ import annotations

import os
import signal

POINTS = ("archive-write", "parse", "extract", "publish-log", "publish-build", "publish-swap")

KILL_AT = os.environ.get("TRACKER_KILL_AT") or None


def checkpoint(name: str) -> None:
    if KILL_AT == name:
        os.kill(os.getpid(), signal.SIGKILL)
