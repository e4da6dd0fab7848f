#!/usr/bin/env bash
# Prepare an Airflow metadata database for the NHS leadership tracker (idempotent).
#   AIRFLOW_HOME=/path/to/airflow_home scripts/airflow-setup.sh
# Runs `airflow db migrate` and creates/updates the pool `duckdb_writer` (1 slot), which
# serialises the two tasks that write DuckDB (process, publish). Safe to run again.
set -euo pipefail

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
