"""Run one DAG in-process with ``dag.test()`` (like ``airflow dags test``), with Deadline Alerts working.

    python scripts/dag_test.py nhs_leadership_tracker '{"offline": true}'

Airflow 3.3.2's ``dag.test()`` keeps a DAG's Deadline Alerts as their definitions where the scheduler
keeps the ids of their ``deadline_alert`` rows; when the run succeeds it looks them up by id and the
run crashes (``'dict' object has no attribute 'hex'``). ``allow_deadlines_in_dag_test()`` looks such a
definition up by what it is, among the rows the test run itself registered for the DAG. The scheduler
is unaffected: this is for ``dag.test()`` only (the demo and the tests).
"""

from __future__ import annotations

import json
import sys


def allow_deadlines_in_dag_test() -> None:
    from sqlalchemy import select

    from airflow.models.deadline_alert import DeadlineAlert

    by_id = DeadlineAlert.get_by_id

    def get_by_id(deadline_alert_id, *, session=None):
        if not isinstance(deadline_alert_id, dict):
            return by_id(deadline_alert_id, session=session)
        data = deadline_alert_id.get("__var", deadline_alert_id)
        for row in session.scalars(select(DeadlineAlert).order_by(DeadlineAlert.created_at.desc())):
            if (row.reference, row.interval, row.callback_def) == (data["reference"], data["interval"],
                                                                   data["callback"]):
                return row
        raise LookupError(f"no deadline_alert row registered for {data.get('name') or data}")

    DeadlineAlert.get_by_id = get_by_id


def main(dag_id: str, conf: str | None = None) -> int:
    from airflow.dag_processing.dagbag import DagBag
    from airflow.settings import DAGS_FOLDER

    allow_deadlines_in_dag_test()
    bag = DagBag(DAGS_FOLDER)
    if bag.import_errors:
        print(json.dumps(bag.import_errors, indent=1), file=sys.stderr)
        return 1
    run = bag.dags[dag_id].test(run_conf=json.loads(conf) if conf else None)
    print(f"DagRun Finished: dag_id={dag_id}, run_id={run.run_id}, state={run.state}")
    return 0 if str(run.state) == "success" else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
