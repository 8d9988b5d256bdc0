"""The ingest worker is down while sensors keep reporting one message per reading: with the
shipped broker configuration (deploy/mosquitto/yingji.conf) nothing is lost; with Mosquitto's
default queue of 1,000 messages readings are dropped — and the sequence numbers turn that loss
into data-quality alarms naming each sensor's missing range (issue 13, finding 8)."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.monitoring.conftest import dumps, services_required
from tests.monitoring.test_monitoring_mqtt import (DIVISION6, ROOT, _listening, _user, free_port, isolated,  # noqa: F401
                                                   publisher, template, wait_for)

# django_db: the module's template copies the migrated test database, which must exist.
pytestmark = [pytest.mark.service, pytest.mark.django_db]
SHIPPED = REPO / "deploy" / "mosquitto" / "yingji.conf"
SENSORS, DOWN_ROUNDS = 20, 150   # 3,000 messages while the worker is down


def start_broker(tmp: Path, settings_text: str):
    mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(mosquitto).exists():
        message = "mosquitto is not installed (apt-get install mosquitto)"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    store = tmp / "broker"
    store.mkdir(exist_ok=True)
    conf = tmp / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\nuser {_user()}\n"
                    f"persistence_location {store}/\n{settings_text}\n")
    process = subprocess.Popen([mosquitto, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: _listening(port), 10, "broker listening")
    return process, port


def per_reading(client, start_ms: int, rounds: range) -> None:
    for i in rounds:
        for k in range(SENSORS):
            client.publish(f"{ROOT}/{DIVISION6}/S{k:02d}/reading",
                           dumps({"t": start_ms + i * 1000, "v": 10.0 + k, "seq": i + 1}), qos=1)
        if i % 10 == 0:
            time.sleep(0.01)


def probe(client, isolated, before: int) -> bool:  # noqa: F811
    """A new probe reading stored means the worker is connected and past its queue."""
    client.publish(f"{ROOT}/{DIVISION6}/PROBE/reading", dumps({"t": int(time.time() * 1000), "v": 1}), qos=1)
    time.sleep(0.5)
    return isolated.counts()["probe"] > before


def stop(worker) -> None:
    """SIGTERM, and SIGKILL if the worker has not stopped after 30 s (a loaded CI machine once kept
    one busy past a 10-s wait, failing the test in its clean-up rather than in what it checks)."""
    worker.terminate()
    try:
        worker.wait(30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(10)


def outage(isolated, tmp_path, settings_text: str) -> dict:  # noqa: F811 (fixture passed in)
    broker, port = start_broker(tmp_path, settings_text)
    isolated.seed(SENSORS)
    client_id = f"test-ingest-outage-{uuid.uuid4().hex[:8]}"
    client = publisher(port)
    worker = isolated.start_worker(port, client_id)
    try:
        isolated.wait_ready(client, port)
        start = int(time.time() * 1000) - 400_000
        per_reading(client, start, range(0, 10))
        wait_for(lambda: isolated.counts()["readings"] == 10 * SENSORS, 30, "readings before the outage")
        worker.send_signal(signal.SIGKILL)  # the worker dies; its session stays at the broker
        worker.wait(10)
        per_reading(client, start, range(10, 10 + DOWN_ROUNDS))
        time.sleep(0.5)
        probes = isolated.counts()["probe"]
        worker = isolated.start_worker(port, client_id)
        wait_for(lambda: probe(client, isolated, probes), 60, "the restarted worker to drain its queue")
        per_reading(client, start, range(10 + DOWN_ROUNDS, 10 + DOWN_ROUNDS + 1))  # after the outage
        wait_for(lambda: isolated.sql("SELECT COUNT(*) FROM monitoring_latestvalue l JOIN monitoring_sensor s "
                                      "ON s.id = l.sensor_id WHERE s.code <> 'PROBE' AND l.seq = %d"
                                      % (11 + DOWN_ROUNDS))[0][0] == SENSORS, 60, "every sensor's last reading")
        time.sleep(1.0)
        counts = isolated.counts()
        gaps = isolated.sql("SELECT s.code, a.detail FROM monitoring_alarm a JOIN monitoring_sensor s "
                            "ON s.id = a.sensor_id WHERE a.rule = 'gap' ORDER BY s.code")
    finally:
        stop(worker)
        client.disconnect()
        client.loop_stop()
        broker.terminate()
        broker.wait(10)
    return {"readings": counts["readings"], "gaps": gaps}


def test_shipped_configuration_keeps_every_reading_through_the_outage(isolated, tmp_path):  # noqa: F811
    result = outage(isolated, tmp_path, SHIPPED.read_text())
    assert result["readings"] == (11 + DOWN_ROUNDS) * SENSORS
    assert result["gaps"] == []


def test_default_queue_drops_readings_and_the_gaps_are_named(isolated, tmp_path):  # noqa: F811
    result = outage(isolated, tmp_path, "max_queued_messages 1000")
    expected = (11 + DOWN_ROUNDS) * SENSORS
    lost = expected - result["readings"]
    assert lost > 0, "Mosquitto's default queue should have dropped readings"
    named = 0
    for code, detail in result["gaps"]:
        found = re.fullmatch(r"缺失序号 (\d+)(?:–(\d+))?（(?:共 )?(\d+) 条）", detail)
        assert found, detail
        named += int(found.group(3))
    # Every lost reading is named by a gap alarm (one alarm per sensor, the latest range).
    assert len(result["gaps"]) == len({code for code, _ in result["gaps"]}) and named == lost
