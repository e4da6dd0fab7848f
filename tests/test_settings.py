"""One settings object: every TRACKER_* variable the code reads is a field of Settings, read in from_env."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker.settings import DEFAULT_BASE_URLS, ENVIRONMENT, Settings, SettingsError

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("variable", "name"), [(v, n) for v, n, _ in ENVIRONMENT])
def test_each_variable_in_the_table_sets_its_field_and_unset_keeps_the_default(variable, name, tmp_path):
    default = getattr(Settings(home=tmp_path), name)
    value = {"TRACKER_SQL_DIR": str(tmp_path), "TRACKER_REGISTRY": str(tmp_path / "r.toml"),
             "TRACKER_DUCKDB_MEMORY_LIMIT": "128MB", "TRACKER_USER_AGENT": "ua/1", "TRACKER_CONTACT": "c@x",
             "TRACKER_REDIS_URL": "redis://127.0.0.1:6379/3", "TRACKER_STORAGE_URL": "s3://bucket/prefix",
             "TRACKER_STORAGE_OPTIONS": '{"anon": true}', "TRACKER_WRITER_QUEUE": "duckdb",
             "TRACKER_MIN_CONFIDENCE": "0.5", "TRACKER_SITE_URL": "https://example.org/briefing/",
             "TRACKER_CORRECTIONS_EMAIL": "corrections@example.org"}.get(variable, "300")
    got = getattr(Settings.from_env({"TRACKER_HOME": str(tmp_path), variable: value}), name)
    assert got != default
    if isinstance(got, dict):
        assert got == {"anon": True}
    else:
        assert float(got) == float(value) if isinstance(got, int | float) else str(got) == value
    assert getattr(Settings.from_env({"TRACKER_HOME": str(tmp_path), variable: ""}), name) == default


def test_home_base_urls_hosts_and_private_addresses(tmp_path):
    s = Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_BASE_URL_NHSE": "http://127.0.0.1:9/",
                           "TRACKER_ALLOWED_HOSTS": "a.test, b.test", "TRACKER_ALLOW_PRIVATE_ADDRESSES": "127.0.0.1"})
    assert s.home == tmp_path.resolve()
    assert s.base_urls == {**DEFAULT_BASE_URLS, "nhse": "http://127.0.0.1:9"}
    assert s.extra_allowed_hosts == ("a.test", "b.test")
    assert (s.allow_private_addresses, s.allowed_private_networks) == (False, ("127.0.0.1/32",))
    assert Settings.from_env({"TRACKER_HOME": str(tmp_path),
                              "TRACKER_ALLOW_PRIVATE_ADDRESSES": "1"}).allow_private_addresses
    off = Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_ALLOW_PRIVATE_ADDRESSES": "off"})
    assert (off.allow_private_addresses, off.allowed_private_networks) == (False, ())


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("TRACKER_TIMEOUT_S", "soon", "TRACKER_TIMEOUT_S must be a number, got 'soon'"),
    ("TRACKER_KEEP_VERSIONS", "0", "TRACKER_KEEP_VERSIONS must be a whole number of at least 1, got '0'"),
    ("TRACKER_PARSE_MEMORY_MB", "64", "TRACKER_PARSE_MEMORY_MB must be at least 128, got '64'"),
    ("TRACKER_SITE_URL", "file:///media/usb/site/",
     "TRACKER_SITE_URL must be an http(s) address such as https://example.org/briefing/, got 'file:///media/usb/site/'"),
    ("TRACKER_SITE_URL", "example.org/briefing",
     "TRACKER_SITE_URL must be an http(s) address such as https://example.org/briefing/, got 'example.org/briefing'"),
])
def test_a_bad_value_names_its_variable(variable, value, message, tmp_path):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"TRACKER_HOME": str(tmp_path), variable: value})
    assert str(caught.value) == message


def test_no_tracker_code_reads_the_environment_but_settings_and_the_test_hook():
    readers = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tracker").rglob("*.py")
                     if re.search(r"os\.environ|getenv\(", p.read_text(encoding="utf-8")))
    assert readers == ["tracker/faults.py", "tracker/settings.py"]


def test_the_configuration_doc_lists_every_variable_from_env_reads():
    doc = (ROOT / "docs" / "operators" / "configuration.md").read_text(encoding="utf-8")
    for variable, _, _ in ENVIRONMENT:
        assert f"`{variable}`" in doc or variable.removeprefix("TRACKER_") in doc, variable


@pytest.mark.parametrize("value", ["1.5", "-0.1", "high"])
def test_min_confidence_is_a_fraction(value, tmp_path):
    with pytest.raises(SettingsError, match="TRACKER_MIN_CONFIDENCE"):
        Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_MIN_CONFIDENCE": value})


def test_the_site_url_ends_in_a_slash_so_page_names_append(tmp_path):
    s = Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_SITE_URL": " https://example.org/briefing "})
    assert s.site_url == "https://example.org/briefing/"
    assert Settings(home=tmp_path).site_url == ""


@pytest.mark.parametrize("value", ["http://exa mple.org", "http://user@www.kingsfund.org.uk", "ftp://x.test",
                                   "http://a\\b.test", "kingsfund.org.uk"])
def test_a_base_url_the_fetcher_cannot_read_is_refused_naming_its_variable(value, tmp_path):
    with pytest.raises(SettingsError, match="^TRACKER_BASE_URL_KINGSFUND "):
        Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_BASE_URL_KINGSFUND": value})


def test_a_base_url_is_kept_in_the_fetchers_canonical_form(tmp_path):
    s = Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_BASE_URL_NHSE": "HTTP://Mirror.Test:8080/nhse/"})
    assert s.base_urls["nhse"] == "http://mirror.test:8080/nhse"


def test_a_run_with_an_unusable_base_url_stops_at_once_with_one_line(tmp_path, monkeypatch):
    from conftest import run_cli

    monkeypatch.setenv("TRACKER_BASE_URL_KINGSFUND", "http://exa mple.org")
    proc = run_cli(tmp_path / "home", "run", "--sources", "kingsfund", check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: TRACKER_BASE_URL_KINGSFUND is not a usable URL (") and \
        len(proc.stderr.splitlines()) == 1, proc.stderr
    assert not (tmp_path / "home").exists()  # nothing fetched, nothing published


@pytest.mark.parametrize("value", ["corrections", "a@b", "a@example.org?cc=x@example.org",
                                   "a@example.org,b@example.org"])
def test_the_corrections_address_is_one_plain_address(value, tmp_path):
    with pytest.raises(SettingsError, match="TRACKER_CORRECTIONS_EMAIL must be one email address"):
        Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_CORRECTIONS_EMAIL": value})
    good = Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_CORRECTIONS_EMAIL": " corrections@example.org "})
    assert good.corrections_email == "corrections@example.org"
