"""Benchmark (not a test): crawl N pages spread over 4 local hosts with a fixed per-host delay.

    .venv/bin/python bench/crawl.py              # N = 200, then 4N = 800; delay 0.05 s
    .venv/bin/python bench/crawl.py -n 100 --delay 0.02 --hosts 4

Each measurement runs in its own process (peak RSS is per process) with the servers in yet another
process, so the RSS is the crawler's alone. The politeness floor is max over hosts of
requests x delay (robots.txt included); the goal is wall / floor <= 1.10. Pacing is per host name, so
the hosts are distinct loopback addresses (127.0.1.1, 127.0.1.2, ...).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE = ("<html><head><title>page</title></head><body><main>" + "<p>Leadership text.</p>" * 100
        + "</main></body></html>").encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802
        if self.path == "/robots.txt":
            body, status, ctype = b"User-agent: *\nAllow: /\n", 200, "text/plain"
        else:
            body, status, ctype = PAGE, 200, "text/html; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _address(i: int) -> str:
    return f"127.0.1.{i + 1}"


def _serve(hosts, ready):
    servers = [ThreadingHTTPServer((_address(i), 0), _Handler) for i in range(hosts)]
    ready.send([s.server_address[1] for s in servers])
    import threading

    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    while True:
        time.sleep(3600)


def child(n: int, delay: float, hosts: int) -> dict:
    ctx = multiprocessing.get_context("spawn")
    parent_end, child_end = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(hosts, child_end), daemon=True)
    proc.start()
    ports = parent_end.recv()
    try:
        from tracker.fetch.archive import ArchiveWriter
        from tracker.fetch.client import Fetcher
        from tracker.fetch.state import CrawlState
        from tracker.settings import Settings
        from tracker.stages.crawl import HostPool, CrawlJob, Progress

        with tempfile.TemporaryDirectory() as home:
            settings = Settings.from_env({
                "TRACKER_HOME": home, "TRACKER_MIN_DELAY_S": str(delay),
                "TRACKER_ALLOWED_HOSTS": ",".join(_address(i) for i in range(hosts)),
                "TRACKER_ALLOW_PRIVATE_ADDRESSES": "127.0.1.0/24",
            })
            writer = ArchiveWriter(settings.archive_dir, prefix="bench")
            state = CrawlState.for_source(settings, "bench")
            fetcher = Fetcher(settings, writer, state)
            done = {"ok": 0, "bad": 0}

            def count(job, result):  # results are not kept: memory must not grow with N
                done["ok" if result.ok else "bad"] += 1

            pool = HostPool(fetcher, count, Progress("bench", every=10**9))
            t0 = time.monotonic()
            for i in range(n):
                pool.submit(CrawlJob(url=f"http://{_address(i % hosts)}:{ports[i % hosts]}/p/{i}"))
            pool.join()
            wall = time.monotonic() - t0
            path = writer.close()
            state.save()
            per_host = {k: v["requests"] for k, v in fetcher.host_stats.items()}
            busiest = max(per_host.values())
            return {
                "n": n, "hosts": hosts, "delay_s": delay, "ok": done["ok"], "failed": done["bad"],
                "wall_s": round(wall, 3), "floor_s": round(busiest * delay, 3),
                "strict_floor_s": round((busiest - 1) * delay, 3),
                "ratio": round(wall / (busiest * delay), 3),
                "warc_bytes": path.stat().st_size if path else 0,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
    finally:
        proc.terminate()
        proc.join()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=200, help="pages (default 200; 4N is run too)")
    ap.add_argument("--delay", type=float, default=0.05, help="per-host delay in seconds")
    ap.add_argument("--hosts", type=int, default=4)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.delay, args.hosts)))
        return
    rows = []
    for n in (args.n, 4 * args.n):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(n), "--delay", str(args.delay), "--hosts", str(args.hosts)],
            capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{'N':>5} {'ok':>5} {'failed':>6} {'wall s':>7} {'floor s':>7} {'ratio':>6} {'peak RSS MB':>11}")
    for r in rows:
        print(f"{r['n']:>5} {r['ok']:>5} {r['failed']:>6} {r['wall_s']:>7} {r['floor_s']:>7} {r['ratio']:>6} "
              f"{r['peak_rss_mb']:>11}")
    print(f"goal: ratio <= 1.10; RSS at 4N vs N: {rows[1]['peak_rss_mb'] - rows[0]['peak_rss_mb']:+.1f} MB")


if __name__ == "__main__":
    main()
