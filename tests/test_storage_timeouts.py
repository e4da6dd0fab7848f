"""The object store is bounded: an endpoint that accepts and never answers, or refuses, is a StorageError soon.

No S3 server is needed: a loopback socket that accepts connections and says nothing stands in for a hung
endpoint, and a port nobody listens on for a refused one.
"""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from tracker import storage
from tracker.settings import Settings


@pytest.fixture
def silent_endpoint():
    """http://127.0.0.2:<port>: accepts every connection, reads what is sent, never answers."""
    server = socket.socket()
    server.bind(("127.0.0.2", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except (socket.timeout, OSError):
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.2:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def refused_endpoint() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.2", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now: connections are refused
    return f"http://127.0.0.2:{port}"


def s3_settings(tmp_path, endpoint: str, timeout: str = "1") -> Settings:
    options = {"endpoint_url": endpoint, "key": "tracker", "secret": "not-a-secret", "skip_instance_cache": True}
    return Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_STORAGE_URL": "s3://bucket/prefix",
                              "TRACKER_STORAGE_OPTIONS": json.dumps(options), "TRACKER_STORAGE_TIMEOUT_S": timeout})


def test_a_store_that_accepts_and_never_answers_is_a_storage_error_within_the_timeout(tmp_path, silent_endpoint):
    settings = s3_settings(tmp_path, silent_endpoint)
    started = time.monotonic()
    with pytest.raises(storage.StorageError, match="cannot list s3://bucket/prefix/archive"):
        storage.sync_archive(settings, storage.open_store(settings))
    # attempts (storage.STORE_ATTEMPTS) x 1 s plus s3fs's short backoffs: seconds, never minutes
    assert time.monotonic() - started < 15


def test_a_refused_store_is_one_storage_error_not_a_botocore_traceback(tmp_path):
    settings = s3_settings(tmp_path, refused_endpoint())
    with pytest.raises(storage.StorageError, match="cannot list s3://bucket/prefix/state") as caught:
        storage.pull_state(settings, storage.open_store(settings))
    assert "\n" not in str(caught.value)


def test_an_upload_to_a_refused_store_is_a_storage_error(tmp_path):
    settings = s3_settings(tmp_path, refused_endpoint())
    local = tmp_path / "x.json"
    local.write_text("{}")
    with pytest.raises(storage.StorageError, match="cannot upload x.json"):
        storage.upload(storage.open_store(settings), local, storage.STATE)


def test_the_storage_timeout_is_a_validated_setting():
    from tracker.settings import SettingsError

    assert Settings.from_env({"TRACKER_HOME": "/tmp/x"}).storage_timeout_s == 30.0
    with pytest.raises(SettingsError, match="TRACKER_STORAGE_TIMEOUT_S"):
        Settings.from_env({"TRACKER_HOME": "/tmp/x", "TRACKER_STORAGE_TIMEOUT_S": "0"})
