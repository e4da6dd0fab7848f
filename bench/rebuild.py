"""Benchmark: full rebuild, unchanged re-run and 1%-changed re-run of `tracker run --offline`.

Prints one table (wall time, documents per second, peak memory) for each N, plus the speed of this
project's HTML parsing against trafilatura's `extract` on the same pages. Not a test: run it by hand.

    python bench/rebuild.py --n 500 2000            # needs the bench extra: pip install -e '.[bench]'
    python bench/rebuild.py --n 2000 --compare f083f89   # the same archive, this code and an earlier commit

`--compare REF` checks REF out into a temporary git worktree and runs the same cases with that code
(PYTHONPATH), in the same session, so before/after is a ratio measured on one machine at one time.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate, html_page  # noqa: E402

from tracker.fetch.archive import ArchiveWriter, iter_records, warc_files  # noqa: E402


# `tracker run` ends each stage with a line on stderr: "parse: 400 parsed, ... (43.7 s)"
STAGE_LINE = re.compile(r"^(index|parse|extract|health|publish|briefing and exports): .*\((\d+(?:\.\d+)?) s\)$", re.M)


def stage_split(stderr: str) -> str:
    """The run's seconds per stage, as its stage lines give them: "index 5.7, parse 30.5, ..."."""
    return ", ".join(f"{name.replace('briefing and exports', 'outputs')} {float(secs):.1f}"
                     for name, secs in STAGE_LINE.findall(stderr))


def timed_run(home: Path, code: Path | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB of the largest process, seconds per stage) of one `tracker run --offline`."""
    # the code under test comes first on the path, and the run starts in its home: `python -m` puts the
    # working directory first, so started from a checkout it would run that checkout's code whatever PYTHONPATH says
    env = {**os.environ, "TRACKER_HOME": str(home), "PYTHONPATH": str(code or HERE.parent)}
    cmd = ["/usr/bin/time", "-f", "%e %M", sys.executable, "-m", "tracker.cli", "run", "--offline"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=home)
    if proc.returncode not in (0, 3):
        raise RuntimeError(proc.stderr[-2000:])
    wall, rss_kb = proc.stderr.strip().splitlines()[-1].split()
    return float(wall), int(rss_kb) / 1024, stage_split(proc.stderr)


def change_one_percent(home: Path, n: int) -> int:
    """Write a new WARC in which 1% of the HTML pages have new content; returns how many."""
    rng = random.Random(99)
    urls = [info.url for path in warc_files(home / "archive") for info, _ in iter_records(path, with_body=False)
            if info.url.endswith(tuple("0123456789"))]
    chosen = rng.sample(urls, max(1, n // 100))
    when = datetime(2026, 2, 1, tzinfo=timezone.utc)
    with ArchiveWriter(home / "archive", prefix="changed") as writer:
        for i, url in enumerate(chosen):
            body = html_page(rng, 10_000 + i, rng.randint(30_000, 200_000), review=False)
            writer.write_response(url, body, headers=[("Content-Type", "text/html")],
                                  fetched_at=when + timedelta(seconds=i))
    return len(chosen)


def reference_ratio(archive: Path, sample: int = 150) -> tuple[float, float] | None:
    """Seconds per page: (this project's HTML parsing, trafilatura.extract) on the same pages."""
    try:
        import trafilatura
    except ImportError:
        return None
    from tracker.parse.html import content_root, html_to_blocks, page_meta, parse_document

    pages = []
    for path in warc_files(archive):
        for info, body in iter_records(path):
            if info.content_type.startswith("text/html"):
                pages.append(body)
            if len(pages) >= sample:
                break
    start = time.perf_counter()
    for body in pages:
        doc = parse_document(body)
        page_meta(doc)
        html_to_blocks(content_root(doc))
    ours = (time.perf_counter() - start) / len(pages)
    start = time.perf_counter()
    for body in pages:
        trafilatura.extract(body.decode("utf-8"), include_comments=False)
    theirs = (time.perf_counter() - start) / len(pages)
    return ours, theirs


def bench(n: int, root: Path, code: Path | None = None, label: str = "") -> list[tuple]:
    archive = root / f"archive-{n}"
    if not archive.exists():
        generate(n, archive)
    rows = []
    home = root / f"home-{n}{label}"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(archive, home / "archive")
    wall, rss, stages = timed_run(home, code)
    rows.append((n, f"full rebuild{label}", wall, n / wall, rss, stages))
    wall2, rss2, stages2 = timed_run(home, code)
    rows.append((n, f"re-run, nothing changed{label}", wall2, None, rss2, f"{wall2 / wall:.1%} of full; {stages2}"))
    changed = change_one_percent(home, n)
    wall3, rss3, stages3 = timed_run(home, code)
    rows.append((n, f"re-run, {changed} changed (1%){label}", wall3, None, rss3,
                 f"{wall3 / wall:.1%} of full; {stages3}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "tracker-bench")
    parser.add_argument("--compare", metavar="REF", help="also run the same cases with the code at this git commit")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"cores: {os.cpu_count()}, workers: {os.environ.get('TRACKER_WORKERS', 'default')}")
    print(f"{'N':>6}  {'case':<28} {'wall s':>7} {'docs/s':>7} {'peak MB':>8}  note")
    other = None
    if args.compare:
        other = args.workdir / f"code-{args.compare}"
        shutil.rmtree(other, ignore_errors=True)
        subprocess.run(["git", "worktree", "prune"], cwd=HERE.parent, check=True)
        subprocess.run(["git", "worktree", "add", "--detach", "-f", str(other), args.compare], cwd=HERE.parent,
                       check=True, capture_output=True)
    try:
        for n in args.n:
            runs = [bench(n, args.workdir)]
            if other is not None:
                runs.append(bench(n, args.workdir, other, f" @{args.compare}"))
            for rows in runs:
                for n_, case, wall, rate, rss, note in rows:
                    print(f"{n_:>6}  {case:<40} {wall:>7.1f} {(f'{rate:.0f}' if rate else ''):>7} {rss:>8.0f}  {note}")
            if other is not None:
                print(f"{n:>6}  full rebuild, this code / {args.compare}: {runs[0][0][2] / runs[1][0][2]:.2f}x")
    finally:
        if other is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=HERE.parent, capture_output=True)
    ratio = reference_ratio(args.workdir / f"archive-{args.n[0]}")
    if ratio:
        ours, theirs = ratio
        print(f"HTML parsing per page: tracker {ours * 1000:.1f} ms, trafilatura.extract {theirs * 1000:.1f} ms "
              f"(tracker takes {ours / theirs:.2f}x trafilatura's time)")
    else:
        print("trafilatura not installed: pip install -e '.[bench]' for the reference ratio")


if __name__ == "__main__":
    main()
