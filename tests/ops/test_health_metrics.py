"""/healthz, /readyz and /metrics as a load balancer and Prometheus see them."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client

from tests.monitoring.conftest import require_broker

pytestmark = pytest.mark.django_db


def sample(text: str, name: str, **labels) -> float:
    """The value of one series in Prometheus text format (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}{re.escape('{' + wanted + '}') if labels else ''}\s+(\S+)$"
    found = re.search(pattern, text, re.M)
    return float(found.group(1)) if found else 0.0


def test_healthz_answers_without_login():
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_readyz_checks_the_database_and_only_the_services_configured(monkeypatch):
    monkeypatch.delenv("YINGJI_MQTT_URL", raising=False)
    monkeypatch.delenv("YINGJI_REDIS_URL", raising=False)
    response = Client().get("/readyz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ready"
    assert set(body["checks"]) == {"database"} and body["checks"]["database"]["ok"]

    # A configured broker that does not answer makes the process unready, with the reason.
    monkeypatch.setenv("YINGJI_MQTT_URL", "mqtt://127.0.0.1:1")
    response = Client().get("/readyz")
    body = response.json()
    assert response.status_code == 503 and body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] and not body["checks"]["broker"]["ok"]
    assert body["checks"]["broker"]["error"]


@pytest.mark.service
def test_readyz_with_the_real_broker_and_redis(monkeypatch):
    require_broker()
    monkeypatch.setenv("YINGJI_MQTT_URL", "mqtt://127.0.0.1:1883")
    monkeypatch.setenv("YINGJI_REDIS_URL", "redis://127.0.0.1:6379/0")
    body = Client().get("/readyz").json()
    assert body["status"] == "ready", body
    assert body["checks"]["broker"]["ok"] and body["checks"]["redis"]["ok"]


def test_metrics_count_ingest_alarms_jobs_and_http(pipeline, tank):
    from yingji.exchange.delivery import deliver
    from yingji.jobs.services import enqueue
    from yingji.monitoring.payloads import RawReading

    client = Client()
    before = client.get("/metrics").content.decode()
    stored0 = sample(before, "yingji_ingest_readings_total", outcome="stored")
    dup0 = sample(before, "yingji_ingest_readings_total", outcome="duplicate")
    latency0 = sample(before, "yingji_alarm_latency_seconds_count")

    _, level, _ = tank
    t = int(time.time() * 1000) - 5000
    readings = [RawReading("TANK-LV", t + i * 1000, v, None, "") for i, v in enumerate([5.0, 5.5, 9.2])]
    pipeline.ingest(readings, source="http")
    pipeline.ingest(readings[:1], source="http")  # delivered again: stored once
    enqueue(deliver, {"link": 0}, division_code="210922000000")  # a task waiting for a worker

    text = client.get("/metrics").content.decode()
    assert sample(text, "yingji_ingest_readings_total", outcome="stored") - stored0 == 3
    assert sample(text, "yingji_ingest_readings_total", outcome="duplicate") - dup0 == 1
    assert sample(text, "yingji_alarm_latency_seconds_count") - latency0 == 1  # the level-2 alarm
    assert sample(text, "yingji_alarms_open", level="2") == 1
    assert sample(text, "yingji_jobs", status="queued") >= 1
    assert 0 <= sample(text, "yingji_ingest_lag_seconds") < 60
    assert "yingji_jobs_lag_seconds" in text
    # The scrape before this one was timed under its URL pattern.
    assert sample(text, "yingji_http_request_duration_seconds_count", method="GET", route="metrics", status="2xx") >= 1


def test_metrics_only_for_allowed_addresses(monkeypatch):
    response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    monkeypatch.setenv("YINGJI_METRICS_ALLOWED", "203.0.113.0/24")
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 200
