"""The DAGs' notifier (plugins/tracker_alerts.py): a one-line alert, posted to the webhook kept in the Airflow
Connection `tracker_alert_webhook` (given here as AIRFLOW_CONN_TRACKER_ALERT_WEBHOOK), never leaking its URL."""

from __future__ import annotations

import asyncio
import json
import logging
from types import SimpleNamespace

import pytest

from airflow_support import DAG_ID, isolate_airflow_home

isolate_airflow_home()

import airflow.sdk  # noqa: E402,F401 - puts the plugins folder on sys.path
from tracker_alerts import TrackerWebhookNotifier  # noqa: E402

TOKEN = "SECRET-TOKEN-7f3a"


@pytest.fixture
def webhook(httpserver, monkeypatch):
    """The webhook on loopback; its URL (with a token, as real webhooks carry) only in the Connection."""
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    url = httpserver.url_for("/hook") + f"?token={TOKEN}"
    monkeypatch.setenv("AIRFLOW_CONN_TRACKER_ALERT_WEBHOOK", json.dumps({"conn_type": "http", "password": url}))
    return httpserver


def _task_failure(exception: BaseException) -> dict:
    ti = SimpleNamespace(dag_id=DAG_ID, task_id="fetch", map_index=2, run_id="scheduled__2026-11-16T06:00:00+00:00")
    task = SimpleNamespace(task_id="fetch", op_kwargs={"source": "nhsproviders"})
    return {"ti": ti, "task": task, "exception": exception}


def _ours(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")  # werkzeug = the test server


def _posted(httpserver) -> list[dict]:
    return [json.loads(request.get_data()) for request, _ in httpserver.log]


def test_a_failed_task_is_one_line_in_the_log_and_posted_to_the_connections_webhook(webhook, caplog):
    caplog.set_level(logging.INFO)

    TrackerWebhookNotifier()(_task_failure(RuntimeError("connection refused\nafter 3 attempts")))

    lines = [r.getMessage() for r in caplog.records if "TRACKER ALERT" in r.getMessage()]
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith("TRACKER ALERT TASK FAILED ")
    for part in (f"dag={DAG_ID}", "task=fetch", "map_index=2", "source=nhsproviders",
                 "run_id=scheduled__2026-11-16T06:00:00+00:00",
                 "error=RuntimeError: connection refused after 3 attempts"):
        assert part in line
    assert TOKEN not in _ours(caplog) and webhook.url_for("/hook") not in _ours(caplog)
    [payload] = _posted(webhook)
    assert payload["text"] == line
    assert (payload["event"], payload["source"], payload["map_index"]) == ("task_failed", "nhsproviders", 2)


def test_the_webhook_url_is_masked_once_read_from_the_connection(webhook):
    from airflow.sdk._shared.secrets_masker import redact

    TrackerWebhookNotifier()(_task_failure(ValueError("boom")))
    assert TOKEN not in str(redact(f"posting to {webhook.url_for('/hook')}?token={TOKEN}"))


def test_a_failed_run_is_posted_with_its_reason(webhook):
    dag_run = SimpleNamespace(dag_id=DAG_ID, run_id="manual__2026-11-23")
    TrackerWebhookNotifier()({"dag_run": dag_run, "reason": "timed_out"})
    [payload] = _posted(webhook)
    assert payload["event"] == "run_failed" and payload["reason"] == "timed_out"
    assert payload["text"] == f"TRACKER ALERT RUN FAILED dag={DAG_ID} run_id=manual__2026-11-23 reason=timed_out"


def test_a_missed_deadline_is_posted_from_the_triggerer(webhook, caplog):
    """As the triggerer runs a Deadline Alert's AsyncCallback: the class built with its kwargs and the
    scheduler's simple context, then awaited."""
    caplog.set_level(logging.INFO)
    context = {
        "dag_run": {"dag_id": DAG_ID, "dag_run_id": "scheduled__2026-11-16T06:00:00+00:00", "state": "running"},
        "deadline": {"id": "0199", "deadline_time": "2026-11-17T06:00:00+00:00"},
    }

    async def trigger():
        await TrackerWebhookNotifier(what="WEEKLY RUN LATE", context=context)

    asyncio.run(trigger())

    [payload] = _posted(webhook)
    assert payload["event"] == "weekly_run_late"
    assert payload["text"] == (f"TRACKER ALERT WEEKLY RUN LATE dag={DAG_ID} "
                               "run_id=scheduled__2026-11-16T06:00:00+00:00 "
                               "deadline=2026-11-17T06:00:00+00:00")
    assert TOKEN not in _ours(caplog)


def test_without_the_connection_the_alert_is_only_logged(monkeypatch, caplog, httpserver):
    monkeypatch.delenv("AIRFLOW_CONN_TRACKER_ALERT_WEBHOOK", raising=False)
    caplog.set_level(logging.INFO)
    TrackerWebhookNotifier()(_task_failure(ValueError("boom")))
    assert "TRACKER ALERT TASK FAILED" in caplog.text and "ValueError: boom" in caplog.text
    assert "alert logged only" in caplog.text and "posted" not in caplog.text
    assert httpserver.log == []


def test_a_webhook_that_fails_never_masks_the_failure_nor_leaks_its_url(httpserver, monkeypatch, caplog):
    httpserver.expect_request("/hook", method="POST").respond_with_data("down", status=503)
    url = httpserver.url_for("/hook") + f"?token={TOKEN}"
    monkeypatch.setenv("AIRFLOW_CONN_TRACKER_ALERT_WEBHOOK", json.dumps({"conn_type": "http", "password": url}))
    caplog.set_level(logging.INFO)

    TrackerWebhookNotifier()(_task_failure(ValueError("boom")))  # does not raise

    assert "could not post alert to Connection tracker_alert_webhook: HTTPError" in caplog.text
    assert TOKEN not in _ours(caplog) and len(httpserver.log) == 1
