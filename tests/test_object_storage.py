"""tracker/storage.py against a folder store and a real S3 server (SeaweedFS on 127.0.0.1).

Two TRACKER_HOME folders stand in for two hosts; the store is the only thing they share.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from support import SAMPLE_WARC
from object_store_support import seaweedfs
from tracker import storage
from tracker.fetch.archive import ArchiveWriter, sha256_file
from tracker.settings import Settings


@pytest.fixture(scope="module")
def s3_server():
    with seaweedfs() as server:
        yield server


@pytest.fixture(params=["folder", "s3"])
def store_env(request, tmp_path) -> dict[str, str]:
    """TRACKER_STORAGE_URL (and options) of a fresh, empty store."""
    if request.param == "folder":
        return {"TRACKER_STORAGE_URL": str(tmp_path / "store")}
    server = request.getfixturevalue("s3_server")
    return {"TRACKER_STORAGE_URL": f"s3://{server.bucket}/{uuid.uuid4().hex}",
            "TRACKER_STORAGE_OPTIONS": json.dumps(server.options())}


def host(tmp_path: Path, name: str, store_env: dict[str, str]) -> Settings:
    return Settings.from_env({"TRACKER_HOME": str(tmp_path / name), **store_env})


def fetched(settings: Settings, source: str, run: str, body: bytes = b"<html>hello</html>") -> Path:
    """What a fetch task leaves behind: a WARC, the source's crawl state and its summary naming the WARC
    with its size and SHA-256 (as crawl_source writes it)."""
    with ArchiveWriter(settings.archive_dir, prefix=source) as writer:
        writer.write_metadata("https://example.org/", body.decode())
    state = settings.home / "state"
    state.mkdir(parents=True, exist_ok=True)
    (state / f"{source}.json").write_text(json.dumps({"version": 1, "urls": {}}))
    summary = {"source": source, "run": run, "warc": writer.path.name,
               "warc_bytes": writer.path.stat().st_size, "warc_sha256": sha256_file(writer.path)}
    (state / f"{source}.crawl.json").write_text(json.dumps(summary))
    return writer.path


def test_without_a_storage_url_the_store_is_tracker_home_and_nothing_moves(tmp_path):
    settings = Settings.from_env({"TRACKER_HOME": str(tmp_path / "home")})
    assert settings.storage_url is None
    assert storage.open_store(settings) is None
    same = Settings.from_env({"TRACKER_HOME": str(tmp_path / "home"), "TRACKER_STORAGE_URL": str(tmp_path / "home")})
    assert storage.open_store(same) is None
    warc = fetched(settings, "dhsc", "r1")
    storage.push_fetch(settings, None, "dhsc")
    assert storage.sync_archive(settings, None) == storage.ArchiveSync()
    assert storage.pull_state(settings, None) == [] and storage.pull_published(settings, None) == []
    # the summary records what the fetch wrote, so a lost or changed file is caught on one host too
    assert storage.require_fetched_warcs(settings, "r1") == [warc.name]


def test_a_bad_storage_options_setting_is_refused_with_its_name(tmp_path):
    from tracker.settings import SettingsError

    with pytest.raises(SettingsError, match="TRACKER_STORAGE_OPTIONS must be a JSON object"):
        Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_STORAGE_OPTIONS": "[1, 2]"})


def test_what_a_fetch_on_one_host_wrote_reaches_the_writer_on_another(tmp_path, store_env):
    fetch_host, writer_host = host(tmp_path, "a", store_env), host(tmp_path, "b", store_env)
    warc = fetched(fetch_host, "kingsfund", "run-1")
    storage.push_fetch(fetch_host, storage.open_store(fetch_host), "kingsfund")

    store = storage.open_store(writer_host)
    assert storage.pull_state(writer_host, store) == ["kingsfund.crawl.json", "kingsfund.json"]
    assert storage.sync_archive(writer_host, store) == storage.ArchiveSync(pulled=(warc.name,))
    assert (writer_host.archive_dir / warc.name).read_bytes() == warc.read_bytes()
    assert storage.require_fetched_warcs(writer_host, "run-1") == [warc.name]
    assert storage.sync_archive(writer_host, store) == storage.ArchiveSync()  # level now


def test_a_warc_imported_on_the_writer_host_is_pushed_to_the_store(tmp_path, store_env):
    from tracker.fetch.archive import import_warc

    writer_host, other = host(tmp_path, "b", store_env), host(tmp_path, "c", store_env)
    imported = import_warc(writer_host.archive_dir, SAMPLE_WARC)
    assert storage.sync_archive(writer_host, storage.open_store(writer_host)).pushed == (imported.name,)
    assert storage.sync_archive(other, storage.open_store(other)).pulled == (imported.name,)
    assert sha256_file(other.archive_dir / imported.name) == sha256_file(SAMPLE_WARC)


def test_processing_fails_loudly_when_a_warc_named_by_this_runs_summary_is_missing(tmp_path, store_env):
    fetch_host, writer_host = host(tmp_path, "a", store_env), host(tmp_path, "b", store_env)
    warc = fetched(fetch_host, "nhse", "run-2")
    store = storage.open_store(fetch_host)
    storage.push_fetch(fetch_host, store, "nhse")
    storage.remove(store, storage.ARCHIVE, warc.name)  # the upload was lost

    storage.pull_state(writer_host, store)
    storage.sync_archive(writer_host, store)
    with pytest.raises(storage.MissingEvidence, match=f"nhse: {warc.name} is not in the archive"):
        storage.require_fetched_warcs(writer_host, "run-2")
    assert storage.require_fetched_warcs(writer_host, "another-run") == []  # an older summary is not this run's


def test_a_warc_that_is_not_the_file_its_fetch_wrote_is_refused(tmp_path, store_env):
    fetch_host, writer_host = host(tmp_path, "a", store_env), host(tmp_path, "b", store_env)
    warc = fetched(fetch_host, "nhsi", "run-3")
    store = storage.open_store(fetch_host)
    storage.push_fetch(fetch_host, store, "nhsi")
    storage.pull_state(writer_host, store)
    storage.sync_archive(writer_host, store)
    local = writer_host.archive_dir / warc.name
    data = bytearray(local.read_bytes())
    data[-1] ^= 0xFF  # same size, other bytes
    local.write_bytes(bytes(data))
    with pytest.raises(storage.MissingEvidence, match="SHA-256 differs"):
        storage.require_fetched_warcs(writer_host, "run-3")


def test_half_written_files_in_the_store_are_never_taken_for_whole_ones(tmp_path, store_env):
    writer_host = host(tmp_path, "b", store_env)
    store = storage.open_store(writer_host)
    part = tmp_path / ".dhsc-x.warc.gz.part"
    part.write_bytes(b"half")
    storage.upload(store, part, storage.ARCHIVE)
    assert storage.listing(store, storage.ARCHIVE) == {}
    assert storage.sync_archive(writer_host, store) == storage.ArchiveSync()
    if store.is_folder:  # a folder store writes .part and renames; nothing else is left behind
        full = tmp_path / "dhsc-y.warc.gz"
        full.write_bytes(b"whole")
        storage.upload(store, full, storage.ARCHIVE)
        names = sorted(p.name for p in Path(store.key(storage.ARCHIVE)).iterdir())
        assert names == [".dhsc-x.warc.gz.part", "dhsc-y.warc.gz"]


def test_an_archive_file_of_another_size_on_either_side_is_an_error(tmp_path, store_env):
    fetch_host, writer_host = host(tmp_path, "a", store_env), host(tmp_path, "b", store_env)
    warc = fetched(fetch_host, "dhsc", "run-4")
    storage.push_fetch(fetch_host, storage.open_store(fetch_host), "dhsc")
    writer_host.archive_dir.mkdir(parents=True)
    (writer_host.archive_dir / warc.name).write_bytes(b"truncated")
    with pytest.raises(storage.StorageError, match="differ in size"):
        storage.sync_archive(writer_host, storage.open_store(writer_host))


def test_published_versions_follow_retention_into_the_store_and_reach_another_host(tmp_path, store_env):
    writer_host, reader = host(tmp_path, "b", store_env), host(tmp_path, "c", store_env)
    store = storage.open_store(writer_host)
    writer_host.published_dir.mkdir(parents=True)
    old, new = (writer_host.published_dir / n for n in ("tracker-20260105T060000.duckdb",
                                                        "tracker-20260112T060000.duckdb"))
    old.write_bytes(b"old version")
    storage.push_published(writer_host, store, old)
    new.write_bytes(b"new version")
    old.unlink()  # what retention did locally when `new` was published
    assert storage.push_published(writer_host, store, new) == [old.name]
    assert storage.listing(store, storage.PUBLISHED) == {new.name: len(b"new version")}

    got = storage.pull_version(reader, storage.open_store(reader), new.name)
    assert got == reader.published_dir / new.name and got.read_bytes() == b"new version"
    assert not storage.pull_version(reader, storage.open_store(reader), old.name).exists()
    fresh_writer = host(tmp_path, "d", store_env)  # a replaced writer host starts with the history
    assert storage.pull_published(fresh_writer, storage.open_store(fresh_writer)) == [new.name]


def test_a_version_swapped_in_but_never_uploaded_goes_up_with_the_next(tmp_path, store_env):
    """A publish stopped between its swap and its upload: the next push carries both versions."""
    writer_host = host(tmp_path, "b", store_env)
    store = storage.open_store(writer_host)
    writer_host.published_dir.mkdir(parents=True)
    stranded, new = (writer_host.published_dir / n for n in ("tracker-20260105T060000.duckdb",
                                                            "tracker-20260112T060000.duckdb"))
    stranded.write_bytes(b"swapped in, never uploaded")
    new.write_bytes(b"new version")
    assert storage.push_published(writer_host, store, new) == []
    assert storage.listing(store, storage.PUBLISHED) == {stranded.name: len(b"swapped in, never uploaded"),
                                                         new.name: len(b"new version")}


def test_the_writer_tasks_process_publish_and_build_outputs_from_the_store_alone(tmp_path, store_env, monkeypatch):
    """The task entry points on three homes: one imports the sample, the writer processes and publishes
    from the store, a third builds the outputs from the version the store holds."""
    from tracker import tasks
    from tracker.fetch.archive import import_warc

    seeding = host(tmp_path, "a", store_env)
    import_warc(seeding.archive_dir, SAMPLE_WARC)
    storage.sync_archive(seeding, storage.open_store(seeding))

    for name, value in store_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TRACKER_WORKERS", "1")
    monkeypatch.setenv("TRACKER_HOME", str(tmp_path / "b"))
    counts = tasks.process(offline=True, run_id="manual__store")
    assert counts["recommendations"] == 62
    published = tasks.publish("manual__store")
    store = storage.open_store(Settings.from_env())
    assert published["version_file"] in storage.listing(store, storage.PUBLISHED)

    monkeypatch.setenv("TRACKER_HOME", str(tmp_path / "c"))
    written = tasks.outputs(published["version_file"], published["sha256"])
    assert written["version_file"] == published["version_file"]
    assert (tmp_path / "c" / "published" / published["version_file"]).is_file()
    assert Path(written["site"]).is_file()


def test_the_process_task_refuses_before_processing_when_evidence_is_missing(tmp_path, store_env, monkeypatch):
    from tracker import tasks

    fetch_host = host(tmp_path, "a", store_env)
    warc = fetched(fetch_host, "parliament", "manual__lost")
    store = storage.open_store(fetch_host)
    storage.push_fetch(fetch_host, store, "parliament")
    storage.remove(store, storage.ARCHIVE, warc.name)
    for name, value in {**store_env, "TRACKER_HOME": str(tmp_path / "b")}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(storage.MissingEvidence, match="parliament"):
        tasks.process(offline=False, run_id="manual__lost")
    assert not (tmp_path / "b" / "work.duckdb").exists()  # nothing processed, nothing to publish


def test_a_cli_run_on_a_fresh_host_works_from_the_store_and_puts_its_version_there(tmp_path, store_env):
    from tracker.fetch.archive import import_warc
    from tracker.pipeline import run

    seeding = host(tmp_path, "a", store_env)
    import_warc(seeding.archive_dir, SAMPLE_WARC)
    storage.sync_archive(seeding, storage.open_store(seeding))
    (seeding.home / "state").mkdir()
    (seeding.home / "state" / "dhsc.json").write_text(json.dumps({"version": 1, "urls": {}}))
    storage.push_state(seeding, storage.open_store(seeding))

    fresh = host(tmp_path, "b", {**store_env, "TRACKER_WORKERS": "1"})
    summary = run(fresh, offline=True)
    assert summary.recommendations == 62
    store = storage.open_store(fresh)
    assert Path(summary.published).name in storage.listing(store, storage.PUBLISHED)
    assert (fresh.home / "state" / "dhsc.json").is_file()  # the crawl state came from the store


def test_check_fetches_judges_the_summaries_other_hosts_put_in_the_store(tmp_path, store_env, monkeypatch):
    from tracker import tasks
    from tracker.health import FetchFailed

    fetch_host = host(tmp_path, "a", store_env)
    fetched(fetch_host, "dhsc", "manual__judged")
    state = fetch_host.home / "state"
    (state / "kingsfund.crawl.json").write_text(json.dumps(
        {"source": "kingsfund", "run": "manual__judged", "warc": None, "finished": True,
         "stopped_by": "fetch failed: connection refused"}))
    store = storage.open_store(fetch_host)
    storage.push_fetch(fetch_host, store, "dhsc")
    storage.push_fetch(fetch_host, store, "kingsfund")
    for name, value in {**store_env, "TRACKER_HOME": str(tmp_path / "elsewhere")}.items():
        monkeypatch.setenv(name, value)
    assert tasks.check_fetches(["dhsc"], "manual__judged") == {"sources": ["dhsc"], "failed": []}
    with pytest.raises(FetchFailed, match="kingsfund: fetch failed: connection refused"):
        tasks.check_fetches(["dhsc", "kingsfund"], "manual__judged")


def test_the_analysts_files_on_the_writer_host_reach_the_fetch_hosts_and_so_does_their_removal(tmp_path, store_env):
    writer_host, fetch_host = host(tmp_path, "b", store_env), host(tmp_path, "a", store_env)
    writer_host.home.mkdir()
    watchlist = '[[page]]\nurl = "https://www.england.nhs.uk/leadership/"\nnote = "progress"\n'
    (writer_host.home / "watchlist.toml").write_text(watchlist)
    (writer_host.home / "reviews.toml").write_text("# none of my own yet\n")
    assert storage.push_config(writer_host, storage.open_store(writer_host)) == ["watchlist.toml", "reviews.toml"]
    assert storage.pull_config(fetch_host, storage.open_store(fetch_host)) == ["watchlist.toml", "reviews.toml"]
    assert (fetch_host.home / "watchlist.toml").read_text() == watchlist

    (writer_host.home / "reviews.toml").unlink()
    storage.push_config(writer_host, storage.open_store(writer_host))
    assert storage.pull_config(fetch_host, storage.open_store(fetch_host)) == ["watchlist.toml"]
    assert not (fetch_host.home / "reviews.toml").exists()
