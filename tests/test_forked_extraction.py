"""Extraction shares its documents among forked children: the same rows in the same order as one process,
whatever a child does, and inside a daemonic process (Celery's prefork children) too."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest

from conftest import run_cli
from support import SAMPLE_WARC, table_snapshot
from tracker.stages.forked import IN_FLIGHT, ChildFailed, forked_map

PARENT = os.getpid()


def square_noting_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_results_come_back_in_order_from_more_than_one_child():
    items = range(IN_FLIGHT * 5 + 3)
    results = list(forked_map(square_noting_pid, items, workers=2))
    assert [r for r, _ in results] == [n * n for n in items]
    pids = {pid for _, pid in results}
    assert PARENT not in pids and len(pids) == 2


def test_one_worker_maps_in_this_process():
    assert {pid for _, pid in forked_map(square_noting_pid, range(5), workers=1)} == {os.getpid()}


def dies_on_seven_in_a_child(n: int) -> int:
    if n == 7 and os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)
    return n * 10


def test_a_child_that_dies_loses_nothing():
    assert list(forked_map(dies_on_seven_in_a_child, range(40), workers=2)) == [n * 10 for n in range(40)]


def test_every_child_dying_still_finishes_the_map():
    def always_dies_in_a_child(n: int) -> int:
        if os.getpid() != PARENT:
            os.kill(os.getpid(), signal.SIGKILL)
        return -n

    assert list(forked_map(always_dies_in_a_child, range(30), workers=2)) == [-n for n in range(30)]


def raises_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("three is not allowed")
    return n


def test_an_exception_in_a_child_is_raised_here_with_its_traceback():
    with pytest.raises(ChildFailed, match="three is not allowed"):
        list(forked_map(raises_on_three, range(20), workers=2))


def _map_in_daemon(queue) -> None:
    queue.put([r for r, _ in forked_map(square_noting_pid, range(30), workers=2)])


def test_it_works_inside_a_daemonic_process():
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_map_in_daemon, args=(queue,), daemon=True)
    proc.start()
    assert queue.get(timeout=60) == [n * n for n in range(30)]
    proc.join(timeout=30)


TABLES = {"status_evidence": "review_id, number, axis, source_url, quote",
          "unresolved_statements": "source_url, quote", "publications": "url"}


@pytest.mark.e2e
def test_one_process_and_two_children_write_the_same_rows(tmp_path, monkeypatch):
    snapshots = []
    for workers in ("1", "2"):
        home = tmp_path / f"w{workers}"
        run_cli(home, "import-warc", str(SAMPLE_WARC))
        monkeypatch.setenv("TRACKER_WORKERS", workers)
        run_cli(home, "run", "--offline")
        snapshots.append(table_snapshot(home / "tracker.duckdb", TABLES))
    assert snapshots[0] == snapshots[1] and snapshots[0]["status_evidence"]
