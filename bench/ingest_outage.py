"""The "worker down" phase of bench_monitor_ingest: the ingest worker is dead while every sensor
keeps reporting, one MQTT message per reading, for a simulated outage; then it restarts.

A broker of its own is started with the shipped configuration (deploy/mosquitto/yingji.conf) on
a free port. The outage's readings (``outage_s / interval_s`` per sensor, each with its ``seq``)
are published as fast as the broker takes them while the worker is down — time-compressed: the
broker's queue holds the same number of messages as in a real outage of that length. Reported:
messages queued, readings stored after the restart, ``lost`` (must be 0), data-quality (gap)
alarms (must be 0), and the catch-up time and rate.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "deploy" / "mosquitto" / "yingji.conf"
CHUNK = 5000
ROOT = os.environ.get("YINGJI_MQTT_TOPIC_ROOT", "yingji")  # the run's own topics (bench_monitor_ingest sets it)


def _sql(query: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]


def _listening(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def _publisher(port: int):
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-out-{uuid.uuid4().hex[:8]}",
                         protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


def _probe_stored(client, before: int) -> bool:
    client.publish(f"{ROOT}/210921/PROBE/reading", json.dumps({"t": int(time.time() * 1000), "v": 1}), qos=1)
    time.sleep(0.5)
    return _sql("SELECT COUNT(*) FROM monitoring_reading r JOIN monitoring_sensor s ON s.id = r.sensor_id "
                "WHERE s.code = 'PROBE'") > before


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
    raise RuntimeError(f"timed out waiting for {what}")


def _probes() -> int:
    return _sql("SELECT COUNT(*) FROM monitoring_reading r JOIN monitoring_sensor s ON s.id = r.sensor_id "
                "WHERE s.code = 'PROBE'")


def measure_outage(codes: list[str], outage_s: int, interval_s: int, tmp: Path, free_port) -> dict:
    import getpass

    mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    port = free_port()
    store = tmp / "outage-broker"
    store.mkdir(exist_ok=True)
    conf = tmp / "outage-mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\nuser {getpass.getuser()}\n"
                    f"persistence_location {store}/\n{SHIPPED.read_text()}\n")
    broker = subprocess.Popen([mosquitto, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait(lambda: _listening(port), 10, "broker")
    client_id = f"bench-outage-{uuid.uuid4().hex[:8]}"

    def start_worker():
        return subprocess.Popen([sys.executable, "-m", "yingji.cli", "ingest", "--mqtt", f"mqtt://127.0.0.1:{port}",
                                 "--client-id", client_id], cwd=REPO,
                                stdout=open(tmp / f"outage-worker-{time.time_ns()}.log", "w"), stderr=subprocess.STDOUT)

    client = _publisher(port)
    worker = start_worker()
    try:
        probes = _probes()
        _wait(lambda: _probe_stored(client, probes), 60, "the worker to come up")
        worker.send_signal(signal.SIGKILL)  # a crash: the persistent session stays at the broker
        worker.wait(10)
        rounds = outage_s // interval_s
        base_t = int(time.time() * 1000) - (rounds + 1) * interval_s * 1000 + 7
        before = _sql("SELECT COUNT(*) FROM monitoring_reading WHERE seq IS NOT NULL")
        started = time.perf_counter()
        info = None
        sent = 0
        for i in range(rounds):
            t = base_t + i * interval_s * 1000
            for code in codes:
                info = client.publish(f"{ROOT}/210921/{code}/reading", json.dumps({"t": t, "v": 50.0, "seq": i + 1}), qos=1)
                sent += 1
                if sent % CHUNK == 0:
                    info.wait_for_publish(60)
        if info is not None:
            info.wait_for_publish(120)
        publish_s = time.perf_counter() - started
        restarted = time.perf_counter()
        probes = _probes()
        worker = start_worker()
        last, stalled_since = -1, time.monotonic()
        while True:
            stored = _sql("SELECT COUNT(*) FROM monitoring_reading WHERE seq IS NOT NULL") - before
            if stored >= sent:
                break
            if stored != last:
                last, stalled_since = stored, time.monotonic()
            elif time.monotonic() - stalled_since > 30:
                break  # nothing more is coming: the rest was lost
            time.sleep(0.2)
        catch_up_s = time.perf_counter() - restarted
        _wait(lambda: _probe_stored(client, probes), 60, "a live reading after the catch-up")
        gaps = _sql("SELECT COUNT(*) FROM monitoring_alarm WHERE rule = 'gap'")
    finally:
        worker.terminate()
        worker.wait(10)
        client.disconnect()
        client.loop_stop()
        broker.terminate()
        broker.wait(20)
    return {"outage_simulated_s": outage_s, "outage_interval_s": interval_s, "outage_sensors": len(codes),
            "outage_messages_queued": sent, "outage_publish_s": round(publish_s, 1),
            "outage_stored_after_restart": stored, "outage_lost": sent - stored, "outage_gap_alarms": gaps,
            "outage_catch_up_s": round(catch_up_s, 1),
            "outage_catch_up_readings_per_s": round(stored / catch_up_s) if catch_up_s else None}
