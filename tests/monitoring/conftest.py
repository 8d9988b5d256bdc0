"""Fixtures for monitoring: a tank farm in 彰武县 and a gauge in 海州区 with graded
thresholds, a fresh ingest pipeline, users, and helpers for the real MQTT broker."""

from __future__ import annotations

import json
import os
import socket
import time

import pytest

from tests.conftest import CITY, HAIZHOU, HAIZHOU_POINT, ZHANGWU, ZHANGWU_POINT

BROKER = ("127.0.0.1", 1883)


def services_required() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("YINGJI_REQUIRE_SERVICES") == "1"


def require_broker(host: str = BROKER[0], port: int = BROKER[1]) -> None:
    """Fail (CI / YINGJI_REQUIRE_SERVICES=1) or skip with the reason when the broker is down."""
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as exc:
        message = (f"Mosquitto is not reachable at {host}:{port} ({exc}); start it with "
                   "`mosquitto -d -c /etc/mosquitto/mosquitto.conf`")
        if services_required():
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def pipeline(db):
    from yingji.monitoring.ingest import IngestPipeline

    return IngestPipeline()


@pytest.fixture
def tank(db, enterprises):
    """A tank farm of enterprise A (彰武县) with a level sensor: upper 7/8/9/9.5 (四→一级),
    lower 1.0/0.5, deadband 0.2; and a temperature sensor with a rate rule."""
    from yingji.monitoring.models import MonitoredObject, Sensor

    own, _ = enterprises
    obj = MonitoredObject.objects.create(name="测试储罐区", code="TEST-TANK", kind="tank", enterprise=own,
                                         division_code=ZHANGWU, lon=ZHANGWU_POINT[0], lat=ZHANGWU_POINT[1])
    level = Sensor(code="TANK-LV", name="1#罐液位", monitored_object=obj, kind="level", interval_s=10, stale_after=3,
                   upper_4=7.0, upper_3=8.0, upper_2=9.0, upper_1=9.5, lower_4=1.0, lower_3=0.5, deadband=0.2,
                   valid_min=0, valid_max=12, division_code=ZHANGWU)
    level.full_clean()
    level.save()
    temp = Sensor(code="TANK-TE", name="1#罐温度", monitored_object=obj, kind="temperature", interval_s=10,
                  upper_4=40.0, upper_1=60.0, rate_limit_per_s=0.1, rate_window_s=60, rate_level=3,
                  division_code=ZHANGWU)
    temp.full_clean()
    temp.save()
    return obj, level, temp


@pytest.fixture
def gauge(db):
    from yingji.monitoring.models import MonitoredObject, Sensor

    obj = MonitoredObject.objects.create(name="测试水文站", code="TEST-GAUGE", kind="river_gauge",
                                         division_code=HAIZHOU, lon=HAIZHOU_POINT[0], lat=HAIZHOU_POINT[1])
    sensor = Sensor(code="GAUGE-WL", name="水位", monitored_object=obj, kind="water_level", upper_4=2.0, upper_1=4.0,
                    division_code=HAIZHOU)
    sensor.full_clean()
    sensor.save()
    return obj, sensor


STAFF = {
    "duty": ("duty_zw", "duty_officer", ZHANGWU), "city_duty": ("duty_city", "duty_officer", CITY),
    "haizhou": ("duty_hz", "duty_officer", HAIZHOU), "readonly": ("viewer_zw", "readonly", ZHANGWU),
    "supervisor": ("sup_zw", "supervisor", ZHANGWU), "enterprise": ("qiye_a", "enterprise", ZHANGWU),
    "admin": ("admin_zw", "county_admin", ZHANGWU), "city_admin": ("admin_city", "city_admin", CITY),
}


@pytest.fixture
def staff(make_user, enterprises):
    """Users by role, created on first use."""
    own, _ = enterprises

    class Staff(dict):
        def __missing__(self, key):
            name, role, region = STAFF[key]
            self[key] = make_user(name, role, region, enterprise=own if role == "enterprise" else None)
            return self[key]

    return Staff()


def feed(pipeline, code: str, values, start_ms: int | None = None, step_ms: int = 1000, division6: str = ""):
    """Ingest values for one sensor (one batch per value, as devices send them)."""
    from yingji.monitoring.payloads import parse_items

    start_ms = start_ms if start_ms is not None else int(time.time() * 1000) - step_ms * len(values)
    results = []
    for i, value in enumerate(values):
        readings, problems = parse_items([{"s": code, "t": start_ms + i * step_ms, "v": value}], None, division6,
                                         int(time.time() * 1000) + 60_000)
        results.append(pipeline.ingest(readings, problems, source="http"))
    return results


def alarm_events():
    from yingji.live.models import LiveEvent

    return [(e.kind, e.data) for e in LiveEvent.objects.filter(channel="alarms").order_by("id")]


def dumps(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


@pytest.fixture(autouse=True)
def fresh_process_pipeline():
    """The process-wide pipeline (HTTP ingest) must not carry sensors of an earlier test."""
    from yingji.monitoring.ingest import reset_pipeline

    reset_pipeline()
    yield
    reset_pipeline()
