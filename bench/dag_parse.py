"""Print how long Airflow takes to parse the DAG folder (not a test; run it by hand).

    .venv/bin/python bench/dag_parse.py [--repeat 5]

Reports the time of `DagBag(dags/)` in a warm process (what the dag-processor pays per parse,
Airflow itself already imported) and the cold time of a fresh interpreter importing the DAG file.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "dags"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="dag-parse-bench-"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(ROOT / "plugins"))  # the DAG imports tracker_alerts

    t0 = time.perf_counter()
    from airflow.dag_processing.dagbag import DagBag

    import_s = time.perf_counter() - t0

    timings = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        bag = DagBag(str(DAGS))
        timings.append(time.perf_counter() - t0)
    if bag.import_errors:
        sys.exit(f"import errors: {bag.import_errors}")

    code = (
        "import importlib.util, sys, time; t=time.perf_counter()\n"
        f"s=importlib.util.spec_from_file_location('d', {str(DAGS / 'nhs_leadership_tracker.py')!r})\n"
        "m=importlib.util.module_from_spec(s); s.loader.exec_module(m)\n"
        "print(time.perf_counter()-t, 'tracker' in sys.modules)"
    )
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    cold_total = time.perf_counter() - t0

    print(f"DAG folder        : {DAGS} ({len(bag.dags)} DAGs: {', '.join(sorted(bag.dags))})")
    print(f"import airflow    : {import_s:.3f}s (once per process)")
    print(
        f"DagBag parse      : median {statistics.median(timings) * 1000:.1f} ms, "
        f"min {min(timings) * 1000:.1f} ms over {len(timings)} runs"
    )
    print(f"cold file import  : {float(out[0]):.3f}s in a fresh interpreter ({cold_total:.2f}s with start-up); tracker "
          f"imported: {out[1]}")


if __name__ == "__main__":
    main()
