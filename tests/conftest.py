"""Shared fixtures: settings on a temp TRACKER_HOME, a local HTTP server, an in-memory warehouse, one sample run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fetch_support import local_settings, start_server
from support import ROOT, SAMPLE_WARC
from tracker.settings import Settings
from tracker.warehouse.db import apply_views, connect, migrate, write_vocabularies


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings on a temp TRACKER_HOME that may talk to the tests' local servers on 127.0.0.1."""
    return local_settings(tmp_path / "home")


@pytest.fixture
def server():
    """A local HTTP server (pytest-httpserver) on 127.0.0.1, cleared and stopped after the test."""
    s = start_server()
    yield s
    s.clear()
    s.stop()


@pytest.fixture
def mem_con():
    con = connect(":memory:")
    migrate(con, ROOT / "sql")
    apply_views(con, ROOT / "sql")
    write_vocabularies(con)  # as every extract writes them: the views read them
    yield con
    con.close()


def run_cli(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the `tracker` CLI in a subprocess with TRACKER_HOME set, as a user would."""
    env = {**os.environ, "TRACKER_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-m", "tracker.cli", *args], env=env, capture_output=True, text=True, cwd=ROOT
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"tracker {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory) -> Path:
    """A TRACKER_HOME where the sample archive has been imported and run once, offline."""
    home = tmp_path_factory.mktemp("sample-home")
    run_cli(home, "import-warc", str(SAMPLE_WARC))
    run_cli(home, "run", "--offline")
    return home
