"""The sources: each publisher the tracker reads, declared once, in its own adapter module.

Adding a source is one file, tracker/sources/<name>.py: its `SOURCE = Source(...)` declaration and its
adapter (a SourceAdapter subclass) that reads its pages. The source names and
base URLs of tracker.settings, the fetcher's allowlist, the publisher table of tracker.speakers, the
choices of the command line and the DAG, and the docs' table of sources all derive from these. Standard
library only: settings, and through it the DAG file and `tracker --help`, read this without the adapters.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Source:
    name: str  # publications.source, the crawl's WARC prefix and state file, TRACKER_BASE_URL_<NAME>
    title: str  # the publisher in messages ("NHS England's pages cannot be discovered")
    base_url: str  # where discovery starts; the adapter reads its host's pages too
    # The hosts its publications live on: allowed and read; they and every host under them speak as its publisher.
    hosts: frozenset[str]
    speaker: str  # the kind of speaker its publications are (one of tracker.vocabulary.SPEAKERS)
    publisher: str  # the name its quotes are cited with
    listings: tuple[str, ...] = ()  # listing page paths under the base URL, read when robots.txt names no sitemap
    order: int = 100  # where it is listed among the sources (the command line, the tables)


ADAPTERS_FOLDER = Path(__file__).parent / "sources"


def read_declarations(folder: Path = ADAPTERS_FOLDER) -> tuple[Source, ...]:
    """Each adapter module's `SOURCE = Source(...)`, read from its file without importing it (its module imports
    the parsers; this one only what settings needs), in their `order`. The module is named after the source."""
    found = []
    for path in sorted(folder.glob("*.py")):
        declared = _DECLARATION.search(path.read_text(encoding="utf-8"))
        if declared:  # parse the statement alone: the whole module would cost every DAG parse 10 ms
            call = ast.parse(declared.group(0), str(path)).body[0].value
            found.append(Source(**{k.arg: _literal(k.value) for k in call.keywords if k.arg}))
    return tuple(sorted(found, key=lambda s: (s.order, s.name)))


_DECLARATION = re.compile(r"^SOURCE = Source\(.*?^\)", re.M | re.S)


def _literal(node: ast.expr):
    """A declaration's values are literals: strings, numbers, tuples, and frozenset({...})."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "frozenset" and len(node.args) == 1:
        return frozenset(ast.literal_eval(node.args[0]))
    return ast.literal_eval(node)


DECLARED: tuple[Source, ...] = read_declarations()
BY_NAME: dict[str, Source] = {s.name: s for s in DECLARED}
