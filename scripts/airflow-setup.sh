#!/usr/bin/env bash
# Prepare an Airflow metadata database for the NHS leadership tracker (idempotent).
#   AIRFLOW_HOME=/path/to/airflow_home scripts/airflow-setup.sh
# Runs `airflow db migrate` and creates/updates the pools every task waits in (dags/nhs_leadership_tracker.py):
#   duckdb_writer  1 slot: the writer queue's tasks; it also keeps the DuckDB writers (process, publish) apart
#   tracker_fetch  AIRFLOW_FETCH_SLOTS slots (default 4): the default queue's tasks (the mapped fetches). Set it
#                  to the slots of the workers serving the default queue (workers x concurrency, less the
#                  writer slot of a worker that serves both queues): never more, or tasks wait QUEUED and fail.
# Safe to run again.
set -euo pipefail
FETCH_SLOTS="${AIRFLOW_FETCH_SLOTS:-4}"
[[ "$FETCH_SLOTS" =~ ^[1-9][0-9]*$ ]] || { echo "AIRFLOW_FETCH_SLOTS must be a positive integer, not '$FETCH_SLOTS'" >&2; exit 2; }

: "${AIRFLOW_HOME:?set AIRFLOW_HOME}"
export AIRFLOW_HOME
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -z "${AIRFLOW_BIN:-}" ]]; then
  if [[ -x "$ROOT/.venv/bin/airflow" ]]; then AIRFLOW_BIN="$ROOT/.venv/bin/airflow"; else AIRFLOW_BIN="airflow"; fi
fi
mkdir -p "$AIRFLOW_HOME"

"$AIRFLOW_BIN" db migrate >"$AIRFLOW_HOME/db-migrate.log" 2>&1 || { tail -n 40 "$AIRFLOW_HOME/db-migrate.log" >&2; exit 1; }
echo "airflow db migrate: ok (log: $AIRFLOW_HOME/db-migrate.log)"
"$AIRFLOW_BIN" pools set duckdb_writer 1 "Serialises the tasks that write the tracker's DuckDB files (process, publish)" >/dev/null
echo "pool duckdb_writer: 1 slot"
"$AIRFLOW_BIN" pools set tracker_fetch "$FETCH_SLOTS" "The fetch workers' slots (the default queue's tasks)" >/dev/null
echo "pool tracker_fetch: $FETCH_SLOTS slots"
