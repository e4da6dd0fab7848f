"""A per-document time budget for work done in this process (extraction), by SIGALRM.

Parsing runs in worker processes that the parent can kill; extraction runs here, so an interval timer
interrupts it instead: the handler raises OverBudget wherever the document's code is (the regular
expression engine checks for signals too). It needs the main thread, where the CLI, Airflow's task
runner and Celery's prefork children all run the pipeline; elsewhere the budget is not applied. A
timer already running (Airflow's execution_timeout uses one) is kept: when it would fire first it is
left alone, and otherwise it is re-armed with the time it has left.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from contextlib import contextmanager

log = logging.getLogger(__name__)


class OverBudget(Exception):
    """The document took longer than its time budget."""


@contextmanager
def time_budget(seconds: float, what: str = "the document"):
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        log.debug("no time budget for %s: not on the main thread", what)
        yield
        return
    outer_left, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    if outer_left and outer_left <= seconds:
        yield  # an outer timer ends everything sooner than this budget would
        return
    state = {"armed": True}

    def expire(signum, frame):
        if state["armed"]:
            raise OverBudget(f"{what} took longer than {seconds:g} s")

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        state["armed"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
        if outer_left:
            left = outer_left - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), outer_interval)
