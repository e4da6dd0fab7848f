"""Alerts for the tracker's DAGs, through Airflow's notifier mechanism.

``TrackerWebhookNotifier`` logs a one-line summary and POSTs it as JSON to the webhook kept in the
Airflow Connection ``tracker_alert_webhook`` (the URL in its password field, so Airflow stores it
encrypted and masks it in logs). Without that Connection it only logs. It serves three callers:

* a task's ``on_failure_callback`` (after its last retry failed),
* the DAG's ``on_failure_callback`` (the run failed, or hit its ``dagrun_timeout``),
* the weekly DAG's Deadline Alert, awaited in the triggerer (``async_notify``).

This module lives in the plugins folder, which Airflow puts on ``sys.path`` in every component
(dag-processor, worker, triggerer), so the Deadline Alert's callback path ``tracker_alerts.
TrackerWebhookNotifier`` imports everywhere. It imports the standard library and ``airflow.sdk``
only: the DAG file imports it at parse time.
"""

from __future__ import annotations

import json
import logging

from airflow.sdk import BaseNotifier

ALERT_CONN_ID = "tracker_alert_webhook"
PREFIX = "TRACKER ALERT"

log = logging.getLogger("nhs_leadership_tracker.alert")


def _get(obj, name: str, default=None):
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def summarise(context, what: str = "") -> tuple[str, dict]:
    """A one-line summary of a failed task, failed run or missed deadline, and its JSON payload."""
    ti = context.get("ti") or context.get("task_instance")
    task_obj = context.get("task")
    dag_run = context.get("dag_run")
    deadline = context.get("deadline")
    payload: dict = {
        "dag_id": _get(ti, "dag_id") or _get(dag_run, "dag_id") or _get(context.get("dag"), "dag_id", "?"),
    }
    run_id = _get(ti, "run_id") or _get(dag_run, "run_id") or _get(dag_run, "dag_run_id", "?")
    if context.get("reason"):  # a DAG-level callback: the run failed ("task_failure", "timed_out", ...)
        event = what or "RUN FAILED"
        payload["run_id"] = run_id
        payload["reason"] = str(context["reason"])
        if ti is not None:  # the task that decided it
            payload["task_id"] = _get(ti, "task_id", "?")
    elif deadline:
        event = what or "DEADLINE MISSED"
        payload["run_id"] = run_id
        payload["deadline"] = str(_get(deadline, "deadline_time", ""))
    elif ti is not None or task_obj is not None:
        event = what or "TASK FAILED"
        payload["task_id"] = _get(ti, "task_id") or _get(task_obj, "task_id", "?")
        map_index = _get(ti, "map_index", -1)
        if map_index is not None and map_index >= 0:
            payload["map_index"] = map_index
        op_kwargs = _get(task_obj, "op_kwargs")
        if isinstance(op_kwargs, dict) and op_kwargs.get("source"):
            payload["source"] = op_kwargs["source"]
        payload["run_id"] = run_id
    else:
        event = what or "RUN FAILED"
        payload["run_id"] = run_id
    error = context.get("exception")
    if error is not None:
        payload["error"] = f"{type(error).__name__}: {error}"
    parts = [f"{PREFIX} {event}"]
    labels = {"dag_id": "dag", "task_id": "task"}
    for key, value in payload.items():
        if isinstance(value, str):
            payload[key] = value = " ".join(value.split())[:500]  # one line, bounded
        parts.append(f"{labels.get(key, key)}={value}")
    summary = " ".join(parts)
    payload = {"text": summary, "event": event.lower().replace(" ", "_"), **payload}
    return summary, payload


def webhook_url(conn) -> str | None:
    """The webhook URL kept in a Connection: its password (documented), else a full URL in its host."""
    if conn.password:
        return conn.password
    host = conn.host or ""
    return host if host.startswith(("http://", "https://")) else None


def post(url: str, payload: dict, timeout: float = 10.0) -> int:
    import urllib.request

    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310 - an operator-set URL
        return resp.status


class TrackerWebhookNotifier(BaseNotifier):
    """Log a one-line alert and POST it to the ``tracker_alert_webhook`` Connection when there is one.

    An alert never masks the failure it reports: posting problems are logged (without the URL), not raised.
    """

    template_fields = ()

    def __init__(self, what: str = "", conn_id: str = ALERT_CONN_ID, context=None):
        super().__init__(context=context)
        self.what = what
        self.conn_id = conn_id

    def render_template_fields(self, context, jinja_env=None) -> None:
        # Nothing to render; and a DAG callback's context may carry a SerializedDAG (dag.test()), which has
        # no template environment for BaseNotifier to build.
        if self.template_fields:
            super().render_template_fields(context, jinja_env)

    def notify(self, context) -> None:
        from airflow.sdk import Connection

        summary, payload = summarise(context, self.what)
        log.error(summary)
        try:
            conn = Connection.get(self.conn_id)
        except Exception:  # AirflowNotFoundException, or no secrets backend reachable
            log.info("no Connection %s: alert logged only", self.conn_id)
            return
        self._send(conn, payload)

    async def async_notify(self, context) -> None:
        import asyncio

        from airflow.sdk import Connection

        summary, payload = summarise(context, self.what)
        log.error(summary)
        try:
            conn = await Connection.async_get(self.conn_id)
        except Exception:
            log.info("no Connection %s: alert logged only", self.conn_id)
            return
        await asyncio.to_thread(self._send, conn, payload)

    def _send(self, conn, payload: dict) -> None:
        url = webhook_url(conn)
        if not url:
            log.warning("Connection %s holds no webhook URL (set its password): alert logged only", self.conn_id)
            return
        from airflow.sdk.log import mask_secret

        mask_secret(url)
        try:
            status = post(url, payload)
            log.info("alert posted to Connection %s (HTTP %s)", self.conn_id, status)
        except Exception as exc:  # never the URL: it carries the webhook's token
            log.warning("could not post alert to Connection %s: %s", self.conn_id, type(exc).__name__)
