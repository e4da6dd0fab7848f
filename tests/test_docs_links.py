"""Every relative link in README.md and docs/ opens something: the file exists, and an anchor names one of its
headings as GitHub renders it (lower case, punctuation dropped, spaces as hyphens, repeats numbered)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support import ROOT

PAGES = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _unfenced(page: Path) -> str:
    """The page without its fenced code blocks, whose lines are neither headings nor links."""
    return re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.+?)\s*$", _unfenced(page), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        n, unique = 0, slug
        while unique in found:
            n += 1
            unique = f"{slug}-{n}"
        found.add(unique)
    return found


def test_the_slugs_are_githubs():
    page = ROOT / "docs" / "analysts" / "data-contract.md"
    assert "the-data-contract-published-trackerduckdb" in anchors(page)
    assert "deploying-one-host-or-a-team" in anchors(ROOT / "docs" / "operators" / "storage.md")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    broken = []
    for target in LINK.findall(re.sub(r"`[^`\n]*`", "", _unfenced(page))):  # inline code holds no links
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading #{anchor} in {linked.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_every_doc_is_reachable_from_the_index():
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    linked = {(ROOT / "docs" / target.partition("#")[0]).resolve() for target in LINK.findall(index)}
    pages = {p.resolve() for p in (ROOT / "docs").rglob("*.md")} - {(ROOT / "docs" / "README.md").resolve()}
    assert sorted(str(p.relative_to(ROOT)) for p in pages - linked) == []
