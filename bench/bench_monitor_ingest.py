"""Monitoring ingest benchmark: MQTT → stored and evaluated, and publish → alarm on SSE.

    .venv/bin/python -m bench.bench_monitor_ingest [--db sqlite|postgresql|both] [--sensors 2000]

Per database (a fresh SQLite file, and a fresh PostgreSQL database when one is reachable at
DATABASE_URL or postgres://postgres@127.0.0.1:5432):

* the real ``yingji ingest`` worker process against the local Mosquitto (127.0.0.1:1883),
  the real ``yingji serve`` web process for ``/live/stream``, 2,000 sensors with thresholds;
* **throughput**: gateway batches (500 readings each, QoS 1) published as fast as possible;
  ``readings_per_s`` = readings / time from the first publish until all are stored (each
  reading stored, latest value updated and evaluated against its rules in the same transaction);
* **alarm latency**: readings at 20,000/s with excursions on distinct sensors; the time from
  publishing the excursion to its ``raised`` event arriving on a logged-in SSE stream. Twice:
  ``alarm_latency_*`` with each gateway batch published at its own time in the second (gateways
  reporting in turn), ``burst_alarm_latency_*`` with each round of every sensor's reading
  published at once (the worst case);
* **ratio_to_bare_insert**: ``readings_per_s`` / the rate of the driver's fastest plain insert
  of the same rows into a table of the same shape (``COPY`` on PostgreSQL, ``executemany`` on
  SQLite); **ratio_to_bare_statement**: the same against the ingest's own insert statement run
  bare (no broker, checks, evaluation or latest values) — what the pipeline around it costs;
* **worker down** (``bench/ingest_outage.py``): the worker is dead for ``--outage-s`` simulated
  seconds (default 3600: the outage the shipped broker configuration is sized for) while every
  sensor reports every ``--interval-s`` (5) seconds, one message per reading; after the restart
  ``outage_lost`` and ``outage_gap_alarms`` must be 0. ``--outage-s 0`` skips the phase.

Prints one JSON object: the top-level figures are the worse of the databases measured, with
the figures of each under ``by_database``.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from bench.ingest_outage import measure_outage

REPO = Path(__file__).resolve().parent.parent
BROKER = ("127.0.0.1", 1883)
BATCH = 500


def ROOT() -> str:  # noqa: N802 - the topic root of this run (its own: other runs on the broker do not see it)
    return os.environ.get("YINGJI_MQTT_TOPIC_ROOT", "yingji")
PASSWORD = "Bench-password-2026"


def machine() -> dict:
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpus": os.cpu_count(), "cpu": model, "python": platform.python_version()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- parent: one subprocess per database ------------------------------------------------------

def database_urls(which: str, tmp: Path) -> dict[str, tuple[str, callable]]:
    urls = {}
    if which in ("sqlite", "both"):
        urls["sqlite"] = (f"sqlite:///{tmp / 'bench.sqlite3'}", lambda: None)
    if which in ("postgresql", "both"):
        base = os.environ.get("DATABASE_URL", "")
        base = base if base.startswith("postgres") else "postgres://postgres@127.0.0.1:5432/postgres"
        try:
            import psycopg

            name = f"yingji_bench_{uuid.uuid4().hex[:8]}"
            parsed = urllib.parse.urlparse(base)
            admin = parsed._replace(path="/postgres").geturl()
            with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')

            def drop(admin=admin, name=name):
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

            urls["postgresql"] = (parsed._replace(path=f"/{name}").geturl(), drop)
        except Exception as exc:  # noqa: BLE001 - report, do not hide
            if which == "postgresql":
                raise
            print(f"PostgreSQL not measured: {exc}", file=sys.stderr)
    return urls


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--sensors", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=100, help="readings per sensor in the throughput phase")
    parser.add_argument("--outage-s", type=int, default=3600, help="simulated seconds the ingest worker is down (0: skip)")
    parser.add_argument("--interval-s", type=int, default=5, help="each sensor's reporting interval in the outage")
    parser.add_argument("--workers", type=int, default=1,
                        help="ingest processes (more than 1: an MQTT v5 shared subscription, $share/<group>/...)")
    parser.add_argument("--single", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(run_single(args.sensors, args.rounds, args.outage_s, args.interval_s, args.workers)))
        return 0
    results = {}
    with tempfile.TemporaryDirectory(prefix="yj-bench-") as tmp:
        for label, (url, drop) in database_urls(args.db, Path(tmp)).items():
            env = dict(os.environ, DATABASE_URL=url, YINGJI_DATA_DIR=str(Path(tmp) / label), YINGJI_BACKGROUND="0",
                       YINGJI_MQTT_TOPIC_ROOT=os.environ.get("YINGJI_MQTT_TOPIC_ROOT", f"yingji_bench_{uuid.uuid4().hex[:6]}"),
                       PYTHONPATH=str(REPO), DJANGO_SETTINGS_MODULE="yingji.settings")
            Path(env["YINGJI_DATA_DIR"]).mkdir(exist_ok=True)
            try:
                done = subprocess.run([sys.executable, "-m", "bench.bench_monitor_ingest", "--single", label,
                                       "--sensors", str(args.sensors), "--rounds", str(args.rounds),
                                       "--outage-s", str(args.outage_s), "--interval-s", str(args.interval_s),
                                       "--workers", str(args.workers)],
                                      env=env, cwd=REPO, capture_output=True, text=True, timeout=3600)
                if done.returncode != 0:
                    raise RuntimeError(done.stderr[-3000:])
                results[label] = json.loads(done.stdout.strip().splitlines()[-1])
            finally:
                drop()
    worst = {
        "readings_per_s": min(r["readings_per_s"] for r in results.values()),
        "alarm_latency_p50_s": max(r["alarm_latency_p50_s"] for r in results.values()),
        "alarm_latency_p99_s": max(r["alarm_latency_p99_s"] for r in results.values()),
        "ratio_to_bare_insert": min(r["ratio_to_bare_insert"] for r in results.values()),
        "outage_lost": max((r.get("outage_lost", 0) for r in results.values()), default=0),
        "outage_gap_alarms": max((r.get("outage_gap_alarms", 0) for r in results.values()), default=0),
    }
    print(json.dumps({**worst, "sensors": args.sensors, "ingest_processes": args.workers, "target": {"readings_per_s": 20000, "alarm_latency_p99_s": 1.0},
                      "machine": machine(), "by_database": results}, ensure_ascii=False))
    return 0


# --- child: one database --------------------------------------------------------------------

def run_single(sensors: int, rounds: int, outage_s: int = 0, interval_s: int = 5, workers: int = 1) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    codes = seed(sensors)
    bare, statement = bare_insert_rate(codes, rounds)
    data_env = dict(os.environ)
    port = free_port()
    client_id = f"bench-ingest-{uuid.uuid4().hex[:8]}"
    tmp = Path(os.environ["YINGJI_DATA_DIR"])
    share = ["--share", client_id] if workers > 1 else []
    client_ids = [client_id] if workers == 1 else [f"{client_id}-{i}" for i in range(workers)]
    ingest = [subprocess.Popen([sys.executable, "-m", "yingji.cli", "ingest", "--mqtt", f"mqtt://{BROKER[0]}:{BROKER[1]}",
                                "--client-id", cid, *share], env=data_env, cwd=REPO,
                               stdout=open(tmp / f"worker-{cid}.log", "w"), stderr=subprocess.STDOUT)
              for cid in client_ids]
    server = subprocess.Popen([sys.executable, "-m", "yingji.cli", "serve", "--port", str(port)],
                              env=dict(data_env, YINGJI_INPROCESS_WORKER="0"), cwd=REPO,
                              stdout=open(tmp / "server.log", "w"), stderr=subprocess.STDOUT)
    publisher = connect_publisher()
    watcher = None
    try:
        wait_ready(publisher)
        time.sleep(3 if workers > 1 else 0)  # every member of the share group subscribed
        watcher = SseWatcher(f"http://127.0.0.1:{port}")
        throughput = measure_throughput(publisher, codes, rounds)
        latency = measure_latency(publisher, codes, watcher, seed=7)
        burst = measure_latency(publisher, codes, watcher, seed=8, spread=False)
        latency.update({f"burst_{k}": v for k, v in burst.items()})
        outage = measure_outage(codes, outage_s, interval_s, tmp, free_port) if outage_s and workers == 1 else {}
    finally:
        if watcher is not None:
            watcher.response.close()
        publisher.disconnect()
        publisher.loop_stop()
        for process in (*ingest, server):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:  # uvicorn waiting on a stream
                process.kill()
                process.wait(10)
        for cid in client_ids:
            forget_session(cid)
    return {**throughput, **latency, **outage, "ingest_pauses": pauses(tmp.glob("worker-*.log")),
            "bare_insert_readings_per_s": round(bare),
            "ratio_to_bare_insert": round(throughput["readings_per_s"] / bare, 3),
            "bare_statement_readings_per_s": round(statement),
            "ratio_to_bare_statement": round(throughput["readings_per_s"] / statement, 3),
            "database": os.environ["DATABASE_URL"].split(":", 1)[0]}


PAUSE = re.compile(r"(slow ingest batch|slow periodic work|garbage collection)[^\n]*")


def pauses(logs) -> dict:
    """What the ingest processes logged as holding the readings up (yingji.monitoring: slow
    batches with their phases, slow periodic work, long garbage collections), counted by kind,
    with the first lines of each."""
    found: dict[str, list[str]] = {}
    for log in logs:
        for match in PAUSE.finditer(Path(log).read_text(errors="replace")):
            found.setdefault(match.group(1), []).append(match.group(0)[:200])
    return {kind: {"count": len(lines), "first": lines[:8]} for kind, lines in found.items()}


def seed(count: int) -> list[str]:
    from yingji.accounts.models import User
    from yingji.monitoring.models import MonitoredObject, Sensor

    obj = MonitoredObject.objects.create(name="基准测试对象", code="BENCH", kind="tank", division_code="210921000000",
                                         lon=121.8, lat=42.1)
    Sensor.objects.bulk_create([
        Sensor(code=f"B{i:05d}", name=f"基准测点{i}", monitored_object=obj, kind="pressure", upper_4=80.0, upper_1=95.0,
               deadband=1.0, interval_s=3600, valid_min=-1000, valid_max=1000, division_code=obj.division_code)
        for i in range(count)] + [Sensor(code="PROBE", name="探针", monitored_object=obj, kind="other", interval_s=3600,
                                         division_code=obj.division_code)], batch_size=1000)
    user = User(username="bench", role="duty_officer", region_code="210900000000")
    user.set_password(PASSWORD)
    user.save()
    return [f"B{i:05d}" for i in range(count)]


def connect_publisher():
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}", protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(*BROKER)
    client.loop_start()
    return client


def forget_session(client_id: str) -> None:
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.connect(*BROKER, clean_start=True)
    client.loop_start()
    time.sleep(0.3)
    client.disconnect()
    client.loop_stop()


def stored_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM monitoring_reading")
        return cursor.fetchone()[0]


def wait_ready(publisher) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        publisher.publish(f"{ROOT()}/210921/PROBE/reading", json.dumps({"t": int(time.time() * 1000), "v": 1}), qos=1)
        time.sleep(0.5)
        if stored_count():
            return
    raise RuntimeError("the ingest worker did not come up")


def batches(codes: list[str], t_ms: int, excursion: str | None = None, rng=random.Random(1)):
    for start in range(0, len(codes), BATCH):
        readings = [{"s": code, "t": t_ms, "v": 90.0 if code == excursion else round(50 + rng.random() * 10, 2)}
                    for code in codes[start:start + BATCH]]
        yield excursion in codes[start:start + BATCH] if excursion else False, json.dumps({"readings": readings})


def measure_throughput(publisher, codes: list[str], rounds: int) -> dict:
    base_t = int(time.time() * 1000) - 3_600_000
    before = stored_count()
    payloads = [p for r in range(rounds) for _, p in batches(codes, base_t + r * 10)]
    total = len(codes) * rounds
    started = time.perf_counter()
    for payload in payloads:
        publisher.publish(f"{ROOT()}/210921/gateway/bench/batch", payload, qos=1)
    published = time.perf_counter() - started
    while stored_count() - before < total:
        if time.perf_counter() - started > 600:
            raise RuntimeError("throughput phase did not finish in 10 minutes")
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    return {"readings": total, "readings_per_s": round(total / elapsed), "publish_s": round(published, 3),
            "end_to_end_s": round(elapsed, 3)}


def measure_latency(publisher, codes: list[str], watcher: "SseWatcher", seed: int, rate: int = 20000,
                    excursions: int = 100, spread: bool = True) -> dict:
    """Readings at ``rate`` per second; every round (one reading per sensor) carries one excursion
    on a new sensor. ``spread``: each gateway batch is published at its own time within the round,
    as a fleet of gateways reporting once a round sends them (the stream the target speaks of);
    otherwise each round's batches go out together as one burst at the start of the round (the
    worst case: the excursion waits for every reading published ahead of it in the burst)."""
    base_t = int(time.time() * 1000) - 1_800_000
    per_round = len(codes)
    interval = per_round / rate
    fresh = [c for c in codes if c not in watcher.received]  # a sensor already in alarm would raise nothing new
    targets = random.Random(seed).sample(fresh, excursions)
    sent: dict[str, float] = {}
    started = time.perf_counter()
    for k, code in enumerate(targets):
        for i, (has_excursion, payload) in enumerate(batches(codes, base_t + k * 10, excursion=code)):
            due = started + k * interval + (i * BATCH / rate if spread else 0)
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            publisher.publish(f"{ROOT()}/210921/gateway/bench/batch", payload, qos=1)
            if has_excursion:
                sent[code] = time.time()
    elapsed = time.perf_counter() - started
    deadline = time.monotonic() + 60
    while len(watcher.received.keys() & sent.keys()) < len(sent) and time.monotonic() < deadline:
        time.sleep(0.1)
    latencies = sorted(watcher.received[c] - sent[c] for c in sent if c in watcher.received)
    missing = len(sent) - len(latencies)
    if not latencies:
        raise RuntimeError("no alarm arrived on the SSE stream")
    p99 = latencies[min(len(latencies) - 1, int(round(0.99 * (len(latencies) - 1))))]
    return {"alarm_latency_p50_s": round(statistics.median(latencies), 3), "alarm_latency_p99_s": round(p99, 3),
            "alarm_latency_max_s": round(latencies[-1], 3), "alarms_measured": len(latencies),
            "alarms_missing": missing, "paced_readings_per_s": round(per_round * len(targets) / elapsed),
            **alarm_stages(sent, watcher.received)}


def alarm_stages(sent: dict[str, float], received: dict[str, float]) -> dict:
    """Where an alarm's latency goes, from the live event the ingest wrote in the batch's
    transaction (``LiveEvent.at``, the same clock): publish → event written (the broker, the
    batching window, the insert, the latest values, the evaluation) and event written → on the
    SSE stream (the rest of the batch, the commit, the notification, the web process's tailer)."""
    from yingji.live.models import LiveEvent

    written = {}
    for data, at in LiveEvent.objects.filter(channel="alarms", kind="raised").values_list("data", "at"):
        code = data.get("sensor_code")
        if code in sent:
            written.setdefault(code, at.timestamp())
    to_event = sorted(written[c] - sent[c] for c in written)
    to_stream = sorted(received[c] - written[c] for c in written if c in received)
    if not to_event or not to_stream:
        return {}
    return {"alarm_to_event_p50_s": round(statistics.median(to_event), 3), "alarm_to_event_max_s": round(to_event[-1], 3),
            "alarm_event_to_stream_p50_s": round(statistics.median(to_stream), 3),
            "alarm_event_to_stream_max_s": round(to_stream[-1], 3)}


class SseWatcher:
    """A logged-in browser's view: ``/live/stream?channels=alarms``; records arrival times."""

    def __init__(self, base: str):
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = self.opener.open(base + "/login/", timeout=120).read().decode()  # a loaded machine: first page slow
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"username": "bench", "password": PASSWORD, "csrfmiddlewaretoken": token}).encode()
        self.opener.open(urllib.request.Request(base + "/login/", data=body, headers={"Referer": base + "/login/"}),
                         timeout=60).read()
        self.received: dict[str, float] = {}
        self.response = self.opener.open(base + "/live/stream?channels=alarms", timeout=120)
        threading.Thread(target=self._read, daemon=True).start()
        time.sleep(0.5)

    def _read(self) -> None:
        event = ""
        for raw in self.response:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "alarms":
                data = json.loads(line[5:])
                if data.get("kind") == "raised":
                    self.received.setdefault(data["sensor_code"], time.time())


def bare_insert_rate(codes: list[str], rounds: int) -> tuple[float, float]:
    """The same rows as the throughput phase (same sensors, times and values) into an empty
    table of the same shape (primary key (sensor, t)) in the same database, one transaction
    per 5,000 rows, two ways: (1) the fastest plain path of the driver — ``COPY`` on PostgreSQL, a
    prepared ``executemany`` on SQLite; (2) the statement the ingest itself runs
    (``monitoring.ingest.insert_readings``: ``unnest`` arrays with ``ON CONFLICT DO NOTHING`` on
    PostgreSQL). No checks, no evaluation, no latest values, no broker. Returns (1) and (2) in rows/s."""
    from django.db import connection, transaction

    from yingji.monitoring import ingest
    from yingji.monitoring.models import Sensor

    ids = dict(Sensor.objects.values_list("code", "id"))
    base_t = int(time.time() * 1000) - 3_600_000
    rows = [(ids[r["s"]], r["t"], r["v"], None) for r_ in range(rounds)
            for _, payload in batches(codes, base_t + r_ * 10) for r in json.loads(payload)["readings"]]
    real = "double precision" if connection.vendor == "postgresql" else "real"
    rates = []
    for way in ("plain", "statement"):
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE bench_bare_reading (sensor_id bigint NOT NULL, t bigint NOT NULL, "
                           f"value {real} NOT NULL, seq bigint NULL, PRIMARY KEY (sensor_id, t))")
        try:
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for start in range(0, len(rows), 5000):
                    with transaction.atomic():
                        chunk = rows[start:start + 5000]
                        if way == "statement":
                            ingest.insert_readings(chunk, table="bench_bare_reading")
                        elif connection.vendor == "postgresql":  # COPY: PostgreSQL's fastest bulk load
                            with cursor.cursor.copy("COPY bench_bare_reading (sensor_id, t, value, seq) FROM STDIN") as copy:
                                for row in chunk:
                                    copy.write_row(row)
                        else:
                            cursor.executemany("INSERT INTO bench_bare_reading (sensor_id, t, value, seq) "
                                               "VALUES (%s, %s, %s, %s)", chunk)
            rates.append(len(rows) / (time.perf_counter() - started))
        finally:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE bench_bare_reading")
    return rates[0], rates[1]


if __name__ == "__main__":
    sys.exit(main())
