"""Each room above what it uses: a module of tracker/ imports only from the layers below its own, function-level
imports included, so a package can be read and changed knowing only what lies under it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRACKER = ROOT / "tracker"

# Bottom first, names under tracker. A module is placed by its longest listed prefix. Two modules sit below their
# own package: the one URL reading (settings checks base URLs with it, parsing joins links with it) and the text
# helpers (the fetcher makes failure text printable with them); both import nothing of tracker.
LAYERS = (
    "sourcelist",  # each source's declaration: what settings, the publisher table and the adapters read
    "errors faults dates items vocabulary speakers staging fetch.urls parse.text",
    "settings lock registry corrections progress",
    "fetch parse extract",  # the web, documents, statements: none knows the others
    "warehouse",
    "watchlist",  # the analyst's watched pages: read as settings, saved through the warehouse's rows
    "sources health storage withdrawals",
    "stages publish report",  # the crawl, parse and extract stages; the outputs
    "pipeline ingest query samplegen",
    "tasks evaluate",
    "cli",
)
LAYER = {"tracker": 0} | {f"tracker.{name}": i for i, layer in enumerate(LAYERS) for name in layer.split()}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def placed(module: str) -> str | None:
    """The listed name a module is placed by (tracker itself, its __version__, only by its own name)."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        name = ".".join(parts[:n])
        if name in LAYER and (n > 1 or module == "tracker"):
            return name
    return None


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def imported(module: str, source: str, package: bool = False) -> set[str]:
    """The tracker modules `source` imports anywhere in it; `from tracker import x` is module x when x is one."""
    here = module.split(".") if package else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[: len(here) - node.level + 1] + ([base] if base else []))
            found.update(f"{base}.{a.name}" if is_module(f"{base}.{a.name}") else base for a in node.names)
    return {name for name in found if name == "tracker" or name.startswith("tracker.")}


def test_every_module_of_tracker_is_placed_and_every_listed_name_exists():
    assert [m for m in map(module_name, TRACKER.rglob("*.py")) if placed(m) is None] == []
    assert [name for name in LAYER if not is_module(name)] == []


def test_each_module_imports_only_from_the_layers_below_its_own():
    upward = []
    for path in sorted(TRACKER.rglob("*.py")):
        module = module_name(path)
        here = placed(module)
        for name in sorted(imported(module, path.read_text(encoding="utf-8"), path.name == "__init__.py")):
            there = placed(name)
            if there != here and LAYER[there] >= LAYER[here]:
                upward.append(f"{module} (layer {LAYER[here]}) imports {name} (layer {LAYER[there]})")
    assert upward == []


def test_the_scan_sees_imports_inside_functions_relative_ones_and_modules_named_in_from_imports():
    source = ("import tracker.cli\n"
              "def f():\n    from tracker.health import judge\n    from ..stages import crawl\n"
              "    from . import urls\n    from tracker import __version__, settings\n")
    assert imported("tracker.fetch.client", source) == {
        "tracker.cli", "tracker.health", "tracker.stages.crawl", "tracker.fetch.urls", "tracker", "tracker.settings"}
    assert placed("tracker.fetch.urls") == "tracker.fetch.urls" and placed("tracker.fetch.steps") == "tracker.fetch"
