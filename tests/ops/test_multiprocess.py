"""Province scale, "Done when": two ingest processes sharing the MQTT stream ($share) and two
web processes (one of them `serve --workers 2`) on one database and the real broker. Each reading
is stored once, each excursion gives one alarm (the database decides between the processes), no
false gap alarm although each process sees only part of each sensor's sequence, and the alarms
reach an SSE stream served by a web process other than the one that raised them. (On SQLite:
one ingest process, see INGEST.)"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

import paho.mqtt.client as mqtt
import pytest

from tests.conftest import REPO
from tests.monitoring.conftest import require_broker
from tests.ops.conftest import COPIES_TEST_DB
from tests.ops.drill import env_for

pytestmark = [pytest.mark.service, COPIES_TEST_DB]
SENSORS, ROUNDS, EXCURSIONS = 12, 24, 4   # sensors S0..S3 go above their red threshold once
# PostgreSQL is the engine of the scaled mode: two ingest processes share the stream. SQLite (the
# embedded engine, one writer at a time) runs the same scenario with one ingest process beside the
# two web processes: four writers on one SQLite file under a loaded machine can wait past its 30 s
# busy timeout.
INGEST = 2 if os.environ.get("DATABASE_URL", "").startswith("postgres") else 1
SEED = """
import json, django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from yingji.accounts.models import User
from yingji.monitoring.models import MonitoredObject, Sensor
from yingji.monitoring.selectors import issue_device_token
prefix = {prefix!r}
obj = MonitoredObject.objects.create(name="多进程测试对象", code=prefix + "-OBJ", kind="tank",
                                     division_code="210922000000", lon=122.431, lat=42.488)
Sensor.objects.bulk_create([Sensor(code=f"{{prefix}}-S{{k}}", name=f"测点{{k}}", monitored_object=obj, kind="level",
                                   upper_4=50.0, upper_1=90.0, interval_s=3600, division_code=obj.division_code)
                            for k in range({sensors})] + [Sensor(code=f"{{prefix}}-PROBE", name="探针",
                            monitored_object=obj, kind="other", interval_s=3600, division_code=obj.division_code)])
admin = User(username="mp_admin", role="county_admin", region_code="210922000000", full_name="管理员")
admin.set_password("mp-test-2026-x"); admin.save()
duty = User(username="mp_duty", role="duty_officer", region_code="210900000000", full_name="值班员")
duty.set_password("mp-test-2026-x"); duty.save()
token, _ = issue_device_token(admin, "多进程测试网关", "210922000000")
session = SessionStore()
session[SESSION_KEY] = str(duty.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = duty.get_session_auth_hash()
session.create()
print(json.dumps({{"token": token, "session": session.session_key}}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def answers(url: str) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=30).status == 200
    except OSError:
        return False


class SSE(threading.Thread):
    """Reads /live/stream of one web process and keeps the alarm events."""

    def __init__(self, url: str, session: str):
        super().__init__(daemon=True)
        self.request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})
        self.events: list[dict] = []
        self.opened = threading.Event()

    def run(self):
        with urllib.request.urlopen(self.request, timeout=300) as response:
            self.opened.set()
            for raw in response:
                line = raw.decode().rstrip("\n")
                if line.startswith("data: "):
                    self.events.append(json.loads(line[6:]))


def counter(text: str, outcome: str) -> float:
    found = re.search(rf'^yingji_ingest_readings_total{{outcome="{outcome}"}}\s+(\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def test_two_ingest_and_two_web_processes(tmp_path, migrated):
    require_broker()
    db = migrated("mp")
    processes: list[subprocess.Popen] = []
    try:
        root = f"yingji_scale_{uuid.uuid4().hex[:8]}"  # our own topics: other runs on this broker never see them
        env = env_for(db, tmp_path, YINGJI_INPROCESS_WORKER="0", YINGJI_SIMULATE="0", YINGJI_MQTT_TOPIC_ROOT=root,
                      YINGJI_INGEST_SHARED="1")  # the scaled configuration: web A's HTTP ingest shares too
        prefix = f"MP{uuid.uuid4().hex[:6].upper()}"
        seeded = subprocess.run([sys.executable, "-c", SEED.format(prefix=prefix, sensors=SENSORS)], env=env, cwd=REPO,
                                capture_output=True, text=True, timeout=120)
        assert seeded.returncode == 0, seeded.stderr
        secrets = json.loads(seeded.stdout.strip().splitlines()[-1])

        def start(*args):
            log = open(tmp_path / f"proc-{len(processes)}.log", "w")
            process = subprocess.Popen([sys.executable, "-m", "yingji.cli", *args], env=env, cwd=REPO, stdout=log,
                                       stderr=subprocess.STDOUT)
            processes.append(process)
            return process

        web_a, web_b = free_port(), free_port()
        start("serve", "--port", str(web_a))
        start("serve", "--port", str(web_b), "--workers", "2")
        group = root
        metrics = [free_port() for _ in range(INGEST)]
        for i, port in enumerate(metrics):
            start("ingest", "--mqtt", "mqtt://127.0.0.1:1883", "--client-id", f"{group}-{i}", "--share", group,
                  "--metrics-port", str(port))
        wait_for(lambda: answers(f"http://127.0.0.1:{web_a}/readyz") and answers(f"http://127.0.0.1:{web_b}/readyz"),
                 300, "both web processes ready")  # a cold process's first request is slow on a loaded machine
        wait_for(lambda: all(answers(f"http://127.0.0.1:{p}/metrics") for p in metrics), 300, "both ingest processes")

        stream = SSE(f"http://127.0.0.1:{web_b}/live/stream?channels=alarms", secrets["session"])
        stream.start()
        assert stream.opened.wait(120)

        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{group}-pub", protocol=mqtt.MQTTv5)
        client.connect("127.0.0.1", 1883)
        client.loop_start()
        try:
            # Both members must hold their subscription before the readings flow: probe until
            # each ingest process has stored something.
            def both_subscribed():
                client.publish(f"{root}/210922/{prefix}-PROBE/reading",
                               json.dumps({"t": int(time.time() * 1000), "v": 1}), qos=1)
                return all(counter(urllib.request.urlopen(f"http://127.0.0.1:{p}/metrics").read().decode(), "stored")
                           for p in metrics)
            wait_for(both_subscribed, 60, "both ingest processes subscribed")

            start_ms = int(time.time() * 1000) - 600_000
            infos = []
            for r in range(ROUNDS):
                for k in range(SENSORS):
                    value = 95.0 if k < EXCURSIONS and 8 <= r < 14 else 10.0 + k
                    infos.append(client.publish(f"{root}/210922/{prefix}-S{k}/reading",
                                                json.dumps({"t": start_ms + r * 10_000, "v": value, "seq": r + 1}), qos=1))
            for info in infos:
                info.wait_for_publish(30)
        finally:
            client.loop_stop()
            client.disconnect()

        # A second way in: an excursion posted over HTTP to the first web process.
        body = json.dumps({"readings": [{"s": f"{prefix}-S{SENSORS - 1}", "t": start_ms + ROUNDS * 10_000, "v": 99.0,
                                         "seq": ROUNDS + 1}]}).encode()
        posted = urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{web_a}/api/v1/ingest/", body, method="POST",
            headers={"Authorization": f"Bearer {secrets['token']}", "Content-Type": "application/json"}), timeout=120)
        assert posted.status == 200

        expected = SENSORS * ROUNDS + 1
        stored = f"""SELECT COUNT(*) FROM monitoring_reading r JOIN monitoring_sensor s ON s.id = r.sensor_id
                     WHERE s.code LIKE '{prefix}-S%%'"""
        wait_for(lambda: db.sql(stored)[0][0] >= expected, 120, "every reading stored")
        raised = {e["alarm_id"] for e in stream.events if e.get("kind") == "raised"}
        wait_for(lambda: len({e["alarm_id"] for e in stream.events if e.get("kind") == "raised"}) >= EXCURSIONS + 1,
                 60, "the alarms on the other web process's stream")
        time.sleep(1.0)  # anything doubled would arrive now

        assert db.sql(stored)[0][0] == expected
        alarms = db.sql(f"""SELECT s.code, a.rule, a.level FROM monitoring_alarm a
                            JOIN monitoring_sensor s ON s.id = a.sensor_id WHERE s.code LIKE '{prefix}-%%'""")
        assert sorted(alarms) == sorted([(f"{prefix}-S{k}", "threshold", 1) for k in range(EXCURSIONS)]
                                        + [(f"{prefix}-S{SENSORS - 1}", "threshold", 1)]), alarms
        quarantined = db.sql(f"SELECT COUNT(*) FROM monitoring_quarantinedmessage WHERE sensor_code LIKE '{prefix}-%%'")
        assert quarantined[0][0] == 0
        raised = {e["alarm_id"]: e for e in stream.events if e.get("kind") == "raised"}
        ids = {row[0] for row in db.sql(f"""SELECT a.id FROM monitoring_alarm a JOIN monitoring_sensor s
                                            ON s.id = a.sensor_id WHERE s.code LIKE '{prefix}-%%'""")}
        assert set(raised) == ids and len(raised) == EXCURSIONS + 1
        assert all(e["sound"] for e in raised.values())

        # Both ingest processes took their share; between them every MQTT reading once.
        shares = [counter(urllib.request.urlopen(f"http://127.0.0.1:{p}/metrics").read().decode(), "stored")
                  for p in metrics]
        probes = db.sql(f"""SELECT COUNT(*) FROM monitoring_reading r JOIN monitoring_sensor s ON s.id = r.sensor_id
                            WHERE s.code = '{prefix}-PROBE'""")[0][0]
        assert all(share > 0 for share in shares) and sum(shares) == SENSORS * ROUNDS + probes, shares
        # The two-worker web server adds both workers up in one scrape (multiprocess metrics).
        text = urllib.request.urlopen(f"http://127.0.0.1:{web_b}/metrics").read().decode()
        assert "yingji_http_request_duration_seconds_count" in text
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
