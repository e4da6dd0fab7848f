"""The root of expected failures: what a user can cause and fix (bad input, a busy lock, a missing file).

The CLI turns a TrackerError into one line on stderr and its ``exit_code``; anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations


class TrackerError(Exception):
    """An expected failure, reported as one line; ``exit_code`` is the CLI's exit status."""

    exit_code = 1
