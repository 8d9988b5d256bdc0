"""Ingest over the real Mosquitto broker: topics and payloads, quarantine without stopping,
the worker killed mid-stream (no reading lost, none stored twice, no duplicate alarm), and
a broker restart (the worker reconnects by itself and catches up)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.monitoring.conftest import BROKER, dumps, require_broker, services_required

# django_db: the module's template copies the migrated test database, which must exist.
pytestmark = [pytest.mark.service, pytest.mark.django_db]
DIVISION6 = "210922"
# The workers' topic root (YINGJI_MQTT_TOPIC_ROOT), this module's own: another run on the same
# broker (a second suite, a demo platform's simulator) publishing under ``yingji/`` is never
# received here — a run beside the CI's once quarantined 399 of its readings as unknown sensors.
ROOT = f"t{uuid.uuid4().hex[:8]}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def publisher(port: int = BROKER[1]):
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uuid.uuid4().hex[:8]}",
                         protocol=mqtt.MQTTv5)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


def publish(client, topic: str, payload: bytes) -> None:
    client.publish(topic, payload, qos=1).wait_for_publish(timeout=10)


def forget_session(client_id: str, port: int = BROKER[1]) -> None:
    """Remove a test's persistent session from the broker."""
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    try:
        client.connect("127.0.0.1", port, clean_start=True)
        client.loop_start()
        deadline = time.monotonic() + 5
        while not client.is_connected() and time.monotonic() < deadline:  # the clean start reached the broker
            time.sleep(0.05)
        client.disconnect()
        client.loop_stop()
    except OSError:
        pass


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


# --- separate worker processes --------------------------------------------------------------

class Isolated:
    """A database of its own for subprocesses (SQLite file, or a fresh PostgreSQL database),
    copied from a template migrated once per module."""

    def __init__(self, tmp: Path, template: "Template"):
        from tests.databases import create

        self.tmp = tmp
        url, self.drop = create(tmp, "mqtt", template_url=template.db.url)
        self.env = dict(template.env, DATABASE_URL=url, YINGJI_DATA_DIR=str(tmp))

    def python(self, code: str):
        script = "import django, json; django.setup()\n" + code
        done = subprocess.run([sys.executable, "-c", script], env=self.env, cwd=REPO, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None

    def seed(self, count: int) -> None:
        self.python(f"""
from yingji.monitoring.models import MonitoredObject, Sensor
obj = MonitoredObject.objects.create(name="测试网关对象", code="GW-OBJ", kind="tank", division_code="210922000000",
                                     lon=122.431, lat=42.488)
Sensor.objects.bulk_create([Sensor(code=f"S{{i:02d}}", name=f"测点{{i}}", monitored_object=obj, kind="level",
                                   upper_4=50.0, upper_1=90.0, interval_s=3600, valid_min=-100, valid_max=1000,
                                   division_code=obj.division_code)
                            for i in range({count})] + [Sensor(code="PROBE", name="探针", monitored_object=obj,
                            kind="other", interval_s=3600, division_code=obj.division_code)])
""")

    def sql(self, query: str) -> list[tuple]:
        url = self.env["DATABASE_URL"]
        if url.startswith("postgres"):
            import psycopg

            with psycopg.connect(url) as conn:
                return conn.execute(query).fetchall()
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as conn:
            return conn.execute(query).fetchall()

    def counts(self) -> dict:
        (row,) = self.sql("""
            SELECT (SELECT COUNT(*) FROM monitoring_reading r JOIN monitoring_sensor s ON s.id = r.sensor_id
                    WHERE s.code <> 'PROBE'),
                   (SELECT COUNT(*) FROM monitoring_alarm),
                   (SELECT COUNT(*) FROM live_liveevent WHERE channel = 'alarms' AND kind = 'raised'),
                   (SELECT COUNT(*) FROM monitoring_reading r JOIN monitoring_sensor s ON s.id = r.sensor_id
                    WHERE s.code = 'PROBE')""")
        return dict(zip(("readings", "alarms", "raised_events", "probe"), row))

    def start_worker(self, port: int, client_id: str) -> subprocess.Popen:
        path = self.tmp / f"worker-{time.time_ns()}.log"
        log = open(path, "w")
        process = subprocess.Popen([sys.executable, "-m", "yingji.cli", "ingest", "--mqtt", f"mqtt://127.0.0.1:{port}",
                                    "--client-id", client_id], env=self.env, cwd=REPO, stdout=log,
                                   stderr=subprocess.STDOUT)
        process.log_path = path
        return process

    def drain(self, client) -> None:
        """Publish a probe reading after everything sent so far and wait until the worker has
        stored it: every earlier message (and any redelivery) has been handled by then."""
        before = self.counts()["probe"]
        publish(client, f"{ROOT}/{DIVISION6}/PROBE/reading", dumps({"t": int(time.time() * 1000), "v": 1}))
        wait_for(lambda: self.counts()["probe"] > before, 30, "the worker to reach the probe")

    def wait_ready(self, client, port: int) -> None:
        """Probe until the worker's subscription is live (readings published before its first
        subscription are not kept for it). A minute: the worker's start (Django, the apps, the API) took
        over 30 s on a 2-core machine busy with the browser stage beside it."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            publish(client, f"{ROOT}/{DIVISION6}/PROBE/reading", dumps({"t": int(time.time() * 1000), "v": 1}))
            time.sleep(0.5)
            if self.counts()["probe"]:
                return
        raise AssertionError("ingest worker did not come up")


class Template:
    """The module's template: a copy of pytest-django's migrated test database (tests/databases.py:
    pg_dump and pg_restore, or SQLite's backup API) instead of a ``yingji migrate`` of its own,
    which cost a minute of the module's set-up on the development machine."""

    def __init__(self, tmp: Path):
        from tests.databases import migrated_copy

        self.db = migrated_copy(tmp, "mqtt_tpl")
        self.env = dict(os.environ, DATABASE_URL=self.db.url, YINGJI_DATA_DIR=str(tmp), YINGJI_BACKGROUND="0",
                        PYTHONPATH=str(REPO), DJANGO_SETTINGS_MODULE="yingji.settings", YINGJI_MQTT_TOPIC_ROOT=ROOT)

    def close(self) -> None:
        self.db.drop()


@pytest.fixture(scope="module")
def template(tmp_path_factory, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        made = Template(tmp_path_factory.mktemp("template"))
    yield made
    made.close()


@pytest.fixture
def isolated(tmp_path, template):
    db = Isolated(tmp_path, template)
    yield db
    db.drop()


def test_topics_payloads_and_quarantine_never_stop_the_worker(isolated):
    require_broker()
    isolated.seed(3)
    client_id = f"test-ingest-{uuid.uuid4().hex[:8]}"
    client = publisher()
    worker = isolated.start_worker(BROKER[1], client_id)
    now = int(time.time() * 1000)
    try:
        isolated.wait_ready(client, BROKER[1])
        publish(client, f"{ROOT}/{DIVISION6}/S00/reading", b"{broken json")
        publish(client, f"{ROOT}/zhangwu/S00/reading", dumps({"t": now, "v": 1}))
        publish(client, f"{ROOT}/{DIVISION6}/NO-SUCH/reading", dumps({"t": now, "v": 1}))
        publish(client, f"{ROOT}/{DIVISION6}/S00/reading", dumps({"t": now, "v": 1e9}))
        publish(client, f"{ROOT}/210902/S00/reading", dumps({"t": now, "v": 5}))  # wrong county in the topic
        publish(client, f"{ROOT}/{DIVISION6}/S00/reading", dumps({"t": now - 3000, "v": 5.0, "seq": 1}))
        publish(client, f"{ROOT}/{DIVISION6}/S00/batch",
                dumps([{"t": now - 2000, "v": 6.0, "seq": 2}, {"t": now - 1000, "v": 60.0, "seq": 3}]))
        publish(client, f"{ROOT}/{DIVISION6}/gateway/gw-1/batch",
                dumps({"readings": [{"s": "S01", "t": now - 1000, "v": 21.0}, {"s": "S02", "t": now, "v": 21.2}]}))
        wait_for(lambda: isolated.counts()["readings"] == 5, 90, "5 readings stored")
        isolated.drain(client)
        result = isolated.python("""
from yingji.live.models import LiveEvent
from yingji.monitoring.models import Alarm, QuarantinedMessage
alarm = Alarm.objects.get()
event = LiveEvent.objects.get(channel="alarms", kind="raised")
print(json.dumps({"reasons": sorted(QuarantinedMessage.objects.values_list("reason", flat=True)),
                  "bad_json": QuarantinedMessage.objects.get(reason="bad_json").payload,
                  "alarm": [alarm.level, alarm.last_value, alarm.sensor.code],
                  "event": [event.data["sound"], event.data["alarm_id"] == alarm.pk]}))
""")
    finally:
        worker.terminate()
        worker.wait(10)
        client.disconnect()
        client.loop_stop()
        forget_session(client_id)
    assert result["reasons"] == ["bad_json", "bad_topic", "division_mismatch", "out_of_range", "unknown_sensor"]
    assert result["bad_json"] == "{broken json"
    assert result["alarm"] == [4, 60.0, "S00"]
    assert result["event"] == [True, True]


def stream(client, start_ms: int, messages: range, sensors: int, excursion=range(0)) -> list:
    """A gateway sending one batch per ~10 ms (a pace, not a wait); returns the publish handles."""
    sent = []
    for i in messages:
        readings = [{"s": f"S{k:02d}", "t": start_ms + i * 1000, "v": 60.0 if (k == 0 and i in excursion) else 10.0 + k,
                     "seq": i} for k in range(sensors)]
        sent.append(client.publish(f"{ROOT}/{DIVISION6}/gateway/test/batch", dumps({"readings": readings}), qos=1))
        time.sleep(0.01)
    return sent


def acknowledged(sent: list) -> None:
    """Wait until the broker has acknowledged (and so holds) every message of a stream."""
    for info in sent:
        info.wait_for_publish(timeout=30)


def test_worker_killed_mid_stream_loses_nothing_and_stores_nothing_twice(isolated):
    require_broker()
    sensors, messages = 10, 300
    isolated.seed(sensors)
    client_id = f"test-ingest-{uuid.uuid4().hex[:8]}"
    client = publisher()
    worker = isolated.start_worker(BROKER[1], client_id)
    try:
        isolated.wait_ready(client, BROKER[1])
        start = int(time.time() * 1000) - messages * 1000
        # S00 goes over its threshold before the kill and stays there after it.
        stream(client, start, range(0, 150), sensors, excursion=range(100, 300))
        wait_for(lambda: isolated.counts()["readings"] > 0, 30, "the worker storing")
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        stored_at_kill = isolated.counts()["readings"]
        acknowledged(stream(client, start, range(150, messages), sensors, excursion=range(100, 300)))
        worker = isolated.start_worker(BROKER[1], client_id)
        wait_for(lambda: isolated.counts()["readings"] >= messages * sensors, 60, "all readings stored")
        isolated.drain(client)  # anything redelivered late has been handled by now
        counts = isolated.counts()
    finally:
        worker.terminate()
        worker.wait(10)
        client.disconnect()
        client.loop_stop()
        forget_session(client_id)
    assert 0 < stored_at_kill < messages * sensors, "the kill did not happen mid-stream"
    assert counts["readings"] == messages * sensors
    assert counts["alarms"] == 1 and counts["raised_events"] == 1


def test_broker_restart_worker_reconnects_and_catches_up(isolated, tmp_path):
    mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(mosquitto).exists():
        message = "mosquitto is not installed (apt-get install mosquitto)"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    store = tmp_path / "broker"
    store.mkdir()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\nuser {_user()}\n"
                    f"persistence_location {store}/\nmax_queued_messages 100000\n")

    def start_broker():
        process = subprocess.Popen([mosquitto, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _listening(port), 10, "broker listening")
        return process

    sensors = 10
    isolated.seed(sensors)
    broker = start_broker()
    client_id = "test-ingest-restart"
    client = publisher(port)
    worker = isolated.start_worker(port, client_id)
    try:
        isolated.wait_ready(client, port)
        start = int(time.time() * 1000) - 400_000
        stream(client, start, range(0, 100), sensors)
        wait_for(lambda: isolated.counts()["readings"] == 1000, 30, "first 1000 readings")
        # The worker stalls; readings pile up at the broker, which then restarts.
        worker.send_signal(signal.SIGSTOP)
        stream(client, start, range(100, 200), sensors)
        for _ in range(50):
            client.publish(f"{ROOT}/{DIVISION6}/PROBE/reading", b"{}", qos=1).wait_for_publish(5)
        client.disconnect()
        client.loop_stop()
        broker.send_signal(signal.SIGTERM)
        broker.wait(10)
        worker.send_signal(signal.SIGCONT)
        wait_for(lambda: "MQTT disconnected" in worker.log_path.read_text(), 30, "the worker to see the broker go")
        broker = start_broker()
        client = publisher(port)
        stream(client, start, range(200, 300), sensors)
        wait_for(lambda: isolated.counts()["readings"] >= 3000, 60, "catch-up after the broker restart")
        isolated.drain(client)
        assert isolated.counts()["readings"] == 3000
    finally:
        worker.send_signal(signal.SIGCONT)
        worker.terminate()
        worker.wait(10)
        client.disconnect()
        client.loop_stop()
        broker.terminate()
        broker.wait(10)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def _user() -> str:
    """Mosquitto started as root drops to user ``mosquitto``: keep the current user so it can
    write its persistence file into the test's temporary directory."""
    import getpass

    return getpass.getuser()
