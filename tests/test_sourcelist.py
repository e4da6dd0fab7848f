"""Each source is declared once (tracker/sourcelist.py): the settings, the fetcher's allowlist, the publisher
table, the command line and the README's table of sources are all read from the declarations."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from click.testing import CliRunner

from support import ROOT
from tracker.cli import cli
from tracker import speakers
from tracker.speakers import Publisher, publisher_of, publisher_table, source_lines
from tracker.settings import DEFAULT_BASE_URLS, SOURCES, WATCHLIST, Settings
from tracker.sourcelist import DECLARED, Source
from tracker.sources import ADAPTERS, source_of, sources_table
from tracker.vocabulary import SPEAKERS


def test_every_host_of_a_source_speaks_as_its_declared_publisher_and_is_its_own(tmp_path):
    allowed = Settings(home=tmp_path).allowed_hosts
    for source in DECLARED:
        assert source.speaker in SPEAKERS and source.speaker != "reported_official", source.name
        for host in source.hosts:
            assert publisher_of(f"https://{host}/x") == Publisher(source.speaker, source.publisher), host
            assert host in allowed, host
        assert urlsplit(source.base_url).hostname in allowed, source.name
        if source.name != "nhsi":  # its pages are the web archive's copies (tests/test_parsers.py)
            assert {source_of(f"https://{host}/x") for host in source.hosts} == {source.name}


def test_the_allowlist_has_the_bare_hosts_of_gov_uk_and_nhs_england(tmp_path):
    assert {"gov.uk", "england.nhs.uk"} <= Settings(home=tmp_path).allowed_hosts


def test_settings_and_the_registry_name_each_declared_source_with_its_base_url():
    assert SOURCES == tuple(source.name for source in DECLARED)
    assert DEFAULT_BASE_URLS == {source.name: source.base_url for source in DECLARED}
    for source in DECLARED:
        adapter = ADAPTERS[source.name]
        assert (adapter.source, adapter.name, adapter.title, adapter.listings) == (
            source, source.name, source.title, source.listings)


def test_a_source_the_publisher_table_does_not_list_comes_last_and_still_outranks_a_wider_suffix(monkeypatch):
    almanac = Source(name="almanac", title="The Almanac", base_url="https://almanac.parliament.uk",
                     hosts=frozenset({"almanac.parliament.uk", "www.almanac.parliament.uk"}),
                     speaker="independent", publisher="The Almanac")
    parliament = ("parliament.uk", Publisher("parliament", "UK Parliament"))
    assert source_lines(almanac) == (("almanac.parliament.uk", Publisher("independent", "The Almanac")),)
    assert publisher_table(("almanac", parliament), (almanac,)) == (*source_lines(almanac), parliament)
    table = publisher_table((parliament,), (almanac,))
    assert table == (parliament, *source_lines(almanac))
    monkeypatch.setattr(speakers, "_BY_SUFFIX", dict(table))
    assert publisher_of("https://www.almanac.parliament.uk/x") == Publisher("independent", "The Almanac")
    assert publisher_of("https://www.parliament.uk/x") == Publisher("parliament", "UK Parliament")


def test_the_command_line_offers_every_source():
    result = CliRunner().invoke(cli, ["run", "--help"], terminal_width=200)
    assert ",".join((*SOURCES, WATCHLIST)) in " ".join(result.output.split())
    result = CliRunner().invoke(cli, ["ingest", "--help"], terminal_width=200)
    assert "|".join((*SOURCES, "other")) in result.output


def test_the_documented_table_of_sources_is_the_one_the_declarations_render():
    """README "### The sources" (wherever its markers have moved, README or docs/): regenerate it with
    `python -c "from tracker.sources import sources_table; print(sources_table())"`."""
    marked = [p for p in (ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")))
              if "<!-- sources:begin -->" in p.read_text(encoding="utf-8")]
    assert len(marked) == 1, marked
    table = re.search(r"<!-- sources:begin -->\n(.*?)<!-- sources:end -->", marked[0].read_text(encoding="utf-8"),
                      re.S).group(1)
    assert table == sources_table()
    assert sources_table().count("\n| `") == len(DECLARED)


def test_a_new_source_is_one_file_whose_declaration_is_read_without_importing_it(tmp_path):
    from tracker.sourcelist import read_declarations

    (tmp_path / "almanac.py").write_text(
        '"""The Almanac."""\nimport lxml_that_is_never_imported  # noqa\n\n'
        'SOURCE = Source(\n    name="almanac", title="The Almanac", base_url="https://www.almanac.org.uk",\n'
        '    hosts=frozenset({"www.almanac.org.uk"}), speaker="independent", publisher="The Almanac",\n'
        '    listings=("/reports",), order=0,\n)\n', encoding="utf-8")
    (tmp_path / "helpers.py").write_text("X = 1\n", encoding="utf-8")
    assert read_declarations(tmp_path) == (Source(
        name="almanac", title="The Almanac", base_url="https://www.almanac.org.uk",
        hosts=frozenset({"www.almanac.org.uk"}), speaker="independent", publisher="The Almanac",
        listings=("/reports",), order=0),)


def test_each_declared_source_has_its_adapter_in_the_module_named_after_it():
    from tracker.sourcelist import ADAPTERS_FOLDER

    for source in DECLARED:
        assert ADAPTERS[source.name].source == source
        assert (ADAPTERS_FOLDER / f"{source.name}.py").exists()
