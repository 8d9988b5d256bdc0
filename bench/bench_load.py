"""Load test of the console and the API (locust): duty officers browsing, filing and acknowledging
while the ingest runs.

    .venv/bin/python -m bench.bench_load [--users 200] [--duration 60] [--db sqlite|postgresql]
        [--ingest-rate 20000] [--no-ingest] [--workers 1] [--ingest-processes 1] [--sensors 2000]
        [--spawn-rate 2] [--wait 1,3] [--db-pool MIN,MAX] [--keep]

One run, in a throwaway data directory and database (a SQLite file, or a new PostgreSQL database
at DATABASE_URL or postgres://postgres@127.0.0.1:5432, dropped at the end):

1. ``yingji demo --load-only`` (the demo of the installation's profile, Fuxin);
2. ``--users`` duty-officer accounts (角色 值班员) made by the app's own services
   (``accounts.services.create_user``, ``issue_token``): half in the city's duty room, the rest
   spread over the county-level units; 2,000 monitored sensors (``--sensors``) with thresholds;
3. ``yingji serve --workers N`` and, unless ``--no-ingest``, ``--ingest-processes`` real
   ``yingji ingest`` processes on the local Mosquitto, fed by a publisher paced at
   ``--ingest-rate`` readings/s (gateway batches of 500, QoS 1; each round of all sensors carries
   one excursion on a new sensor, so alarms keep arriving for the officers to acknowledge);
4. locust, headless, in a subprocess (``bench/locustfile.py``): the users spawn at
   ``--spawn-rate``, the statistics are reset once all have signed in (the ramp and the logins are
   not measured), then ``--duration`` seconds are measured.

Prints one JSON object: requests, failures, rps, p50/p95/p99 overall and per request name (the
busiest), the readings/s the ingest stored during the measured window, the load average sampled
during it, the database and the machine. Timings are for bench/, never asserted by a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from bench.bench_monitor_ingest import (BATCH, BROKER, REPO, ROOT, connect_publisher, database_urls, forget_session,
                                        free_port, machine, seed, stored_count, wait_ready)

PASSWORD = "Load-test-2026-duty"
TARGET = {"users": 200, "ingest_readings_per_s": 20000, "p99_ms": 500, "failures": 0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="concurrent duty officers (locust users)")
    parser.add_argument("--spawn-rate", type=float, default=2,
                        help="users signing in per second (each login hashes a password: a fast ramp saturates the CPU)")
    parser.add_argument("--duration", type=int, default=60, help="measured seconds (after all users signed in)")
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--ingest-rate", type=int, default=20000, help="readings/s published during the run")
    parser.add_argument("--no-ingest", action="store_true", help="no ingest processes and no publisher")
    parser.add_argument("--ingest-processes", type=int, default=1,
                        help="ingest processes (more than 1: an MQTT v5 shared subscription)")
    parser.add_argument("--sensors", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1, help="web processes (yingji serve --workers)")
    parser.add_argument("--db-pool", default=os.environ.get("YINGJI_DB_POOL", ""),
                        help="PostgreSQL: YINGJI_DB_POOL=min,max of every process (docs/deploy.md); default: none")
    parser.add_argument("--wait", default="1,3", help="think time between a user's actions, min,max seconds")
    parser.add_argument("--keep", action="store_true", help="keep the data directory (locust CSV, server logs)")
    parser.add_argument("--single", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(run_single(args), ensure_ascii=False))
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="yj-load-"))
    try:
        (url, drop), = database_urls(args.db, tmp).values()
        # YINGJI_ROAD_HIERARCHIES=off: the demo network's hierarchies (minutes of CPU right after the
        # demo is loaded) would otherwise be built during the measured minute; the load test does not
        # ask for matrices
        env = dict(os.environ, DATABASE_URL=url, YINGJI_DATA_DIR=str(tmp / "data"), YINGJI_BACKGROUND="0",
                   YINGJI_ROAD_HIERARCHIES="off",
                   YINGJI_MQTT_TOPIC_ROOT=f"yingji_load_{uuid.uuid4().hex[:6]}", PYTHONPATH=str(REPO),
                   DJANGO_SETTINGS_MODULE="yingji.settings")
        env.pop("YINGJI_DB_POOL", None)
        if args.db_pool and args.db == "postgresql":
            env["YINGJI_DB_POOL"] = args.db_pool
        (tmp / "data").mkdir()
        try:
            done = subprocess.run([sys.executable, "-m", "bench.bench_load", "--single", *sys.argv[1:]], env=env,
                                  cwd=REPO, stdout=subprocess.PIPE, text=True, timeout=7200)
        finally:
            drop()
        if done.returncode != 0:
            args.keep = True  # the logs of the failed run stay for reading
            print("负载测试失败", file=sys.stderr)
            return done.returncode
        print(done.stdout.strip().splitlines()[-1])
        return 0
    finally:
        if args.keep:
            print(f"数据目录（日志；SQLite 时含数据库）：{tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def log(message: str) -> None:
    print(f"[bench_load {time.strftime('%H:%M:%S', time.gmtime())}] {message}", file=sys.stderr, flush=True)


# --- child: one database ------------------------------------------------------------------------

def run_single(args) -> dict:
    data = Path(os.environ["YINGJI_DATA_DIR"])
    log("载入演示数据（yingji demo --load-only）")
    subprocess.run([sys.executable, "-m", "yingji.cli", "demo", "--load-only"], cwd=REPO, check=True,
                   stdout=open(data / "demo.log", "w"), stderr=subprocess.STDOUT, timeout=1800)
    import django

    django.setup()
    log(f"创建 {args.users} 个值班员账号与令牌")
    accounts = duty_accounts(args.users)
    config = data / "locust-accounts.json"
    config.write_text(json.dumps({"users": accounts}, ensure_ascii=False), encoding="utf-8")
    codes = [] if args.no_ingest else seed(args.sensors)
    from django.db import connection

    connection.close()  # not held open across the run (PostgreSQL: one connection less)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes: list[subprocess.Popen] = []
    client_ids: list[str] = []
    feeder = None
    try:
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "yingji.cli", "serve", "--port", str(port), "--workers", str(args.workers)],
            env=dict(os.environ, YINGJI_INPROCESS_WORKER="0"), cwd=REPO,
            stdout=open(data / "server.log", "w"), stderr=subprocess.STDOUT))
        wait_http(base + "/healthz", data / "server.log")
        if codes:
            client_id = f"load-ingest-{uuid.uuid4().hex[:8]}"
            share = ["--share", client_id] if args.ingest_processes > 1 else []
            client_ids = [client_id] if args.ingest_processes == 1 else [f"{client_id}-{i}" for i in range(args.ingest_processes)]
            for cid in client_ids:
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "yingji.cli", "ingest", "--mqtt", f"mqtt://{BROKER[0]}:{BROKER[1]}",
                     "--client-id", cid, *share], cwd=REPO, stdout=open(data / f"ingest-{cid}.log", "w"),
                    stderr=subprocess.STDOUT))
            feeder = Feeder(codes, args.ingest_rate)
            wait_ready(feeder.client)
            time.sleep(2 if args.ingest_processes > 1 else 0)
            feeder.start()
            log(f"采集在运行：目标 {args.ingest_rate} 条/秒，{len(codes)} 个测点")
        result = run_locust(args, base, config, data)
    finally:
        if feeder is not None:
            feeder.stop()
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        for cid in client_ids:
            forget_session(cid)
    if feeder is not None:
        window = result.pop("_window")
        stored = window["stored_after"] - window["stored_before"]
        result["ingest"] = {"target_readings_per_s": args.ingest_rate, "sensors": len(codes),
                            "processes": args.ingest_processes,
                            "published_readings_per_s": round(feeder.published_in(window["start"], window["end"])
                                                              / (window["end"] - window["start"])),
                            "stored_readings_per_s": round(stored / (window["end"] - window["start"])),
                            "excursions_published": feeder.excursions}
    else:
        result.pop("_window")
        result["ingest"] = None
    result["server_errors_logged"] = count_tracebacks(data)
    return result


def duty_accounts(count: int) -> list[dict]:
    """``count`` duty officers through the app's services: half in the city's duty room, the rest
    spread over the county-level units of the profile; each with a password and an API token."""
    from yingji.accounts import services as accounts
    from yingji.demo import profile

    p = profile.current()
    made = []
    for i in range(count):
        username = f"load_duty_{i:03d}"
        region = p.root12 if i % 2 == 0 or not p.units else p.units[(i // 2) % len(p.units)].code12
        user = accounts.create_user(None, username, PASSWORD, "duty_officer", region, full_name=f"负载测试值班员{i:03d}")
        made.append({"username": username, "password": PASSWORD, "token": accounts.issue_token(user, "负载测试")})
    return made


def wait_http(url: str, server_log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(server_log.read_text()[-3000:])


class Feeder:
    """Publishes every sensor's reading in rounds paced at ``rate`` readings/s (batches of 500,
    QoS 1), the readings timestamped now; each round carries one excursion (above the sensor's
    upper threshold) on the next sensor, so new alarms keep arriving."""

    def __init__(self, codes: list[str], rate: int):
        self.codes, self.rate = codes, rate
        self.client = connect_publisher()
        self.stopping = threading.Event()
        self.marks: list[tuple[float, int]] = [(time.monotonic(), 0)]  # (when, readings published so far)
        self.excursions = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        rng = random.Random(1)
        excursion_order = rng.sample(self.codes, len(self.codes))
        interval = len(self.codes) / self.rate
        started, published, last_t, k = time.monotonic(), 0, 0, 0
        while not self.stopping.is_set():
            pause = started + k * interval - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            t_ms = max(int(time.time() * 1000), last_t + 1)
            last_t = t_ms
            excursion = excursion_order[k % len(excursion_order)]
            for start in range(0, len(self.codes), BATCH):
                readings = [{"s": code, "t": t_ms, "v": 90.0 if code == excursion else round(50 + rng.random() * 10, 2)}
                            for code in self.codes[start:start + BATCH]]
                self.client.publish(f"{ROOT()}/210921/gateway/load/batch", json.dumps({"readings": readings}), qos=1)
            self.excursions += 1
            published += len(self.codes)
            self.marks.append((time.monotonic(), published))
            k += 1

    def published_in(self, start: float, end: float) -> int:
        before = max((n for t, n in self.marks if t <= start), default=0)
        after = max((n for t, n in self.marks if t <= end), default=0)
        return after - before

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(10)
        self.client.disconnect()
        self.client.loop_stop()


def run_locust(args, base: str, config: Path, data: Path) -> dict:
    """locust headless in a subprocess (gevent stays out of this process). The locustfile resets
    the statistics once every user has signed in and stops ``--duration`` seconds later, so the
    ramp and the logins are not measured; ``-t`` is only a safety limit."""
    wait_min, wait_max = (float(x) for x in args.wait.split(","))
    ramp = args.users / args.spawn_rate
    counters = data / "locust-counters.json"
    env = dict(os.environ, YINGJI_LOAD_CONFIG=str(config), YINGJI_LOAD_RESULT=str(counters),
               YINGJI_LOAD_WAIT_MIN=str(wait_min), YINGJI_LOAD_WAIT_MAX=str(wait_max),
               YINGJI_LOAD_MEASURE_S=str(args.duration))
    limit = int(3 * ramp + args.duration + 300)
    command = [sys.executable, "-m", "locust", "-f", str(REPO / "bench" / "locustfile.py"), "--headless",
               "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{limit}s",
               "--host", base, "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"]
    warm_up(base, json.loads(config.read_text(encoding="utf-8"))["users"][0], args.workers)
    log(f"locust：{args.users} 个用户，每秒启动 {args.spawn_rate} 个，全部登录后测量 {args.duration} 秒")
    loads: list[float] = []
    stored_before = stored_after = None
    locust = subprocess.Popen(command, env=env, cwd=REPO, stdout=open(data / "locust.log", "w"), stderr=subprocess.STDOUT)
    while locust.poll() is None:
        if stored_before is None and counters.exists():  # the measured window has begun
            start = time.monotonic()
            stored_before = stored_count_fresh() if not args.no_ingest else 0
            log("全部用户已登录，开始测量")
        if stored_before is not None:
            loads.append(os.getloadavg()[0])
        time.sleep(1)
    end = time.monotonic()
    if stored_before is None:
        raise RuntimeError("locust 未进入测量阶段：" + (data / "locust.log").read_text()[-3000:])
    stored_after = stored_count_fresh() if not args.no_ingest else 0
    result = json.loads(counters.read_text(encoding="utf-8"))
    if "total" not in result:
        raise RuntimeError("locust 未写出统计：" + (data / "locust.log").read_text()[-3000:])
    counts, window, total = result["counters"], result["window"], result["total"]
    named = sorted(result["by_name"], key=lambda r: -r["requests"])
    measured = (window["end"] - window["start"]) if "end" in window else (end - start)
    return {
        "users": args.users, "duration_s": args.duration, "measured_s": round(measured, 1),
        "think_time_s": [wait_min, wait_max], "web_workers": args.workers,
        "db_pool": os.environ.get("YINGJI_DB_POOL") or None,
        "database": "postgresql" if os.environ["DATABASE_URL"].startswith("postgres") else "sqlite",
        "requests": total["requests"], "failures": total["failures"] + counts.get("login_failures", 0),
        "rps": round(total["requests"] / measured, 1),
        **{k: total[k] for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms")},
        "by_name": named[:25],
        "failure_samples": sorted(result["errors"], key=lambda e: -e["occurrences"])[:10],
        "actions": counts,
        "load_average_1m": {"min": round(min(loads, default=0), 2),
                            "mean": round(sum(loads) / len(loads), 2) if loads else 0,
                            "max": round(max(loads, default=0), 2)},
        "locust_exit_code": locust.returncode,
        "target": TARGET, "machine": machine(),
        "_window": {"start": start, "end": end, "stored_before": stored_before, "stored_after": stored_after},
    }


def warm_up(base: str, account: dict, workers: int) -> None:
    """One signed-in pass over the pages before the users come (each web process's first request
    imports and compiles what the later ones reuse): a restart's cost is not the steady load."""
    import http.cookiejar
    import re

    for _ in range(max(1, workers) * 2):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(base + "/login/", timeout=120).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"username": account["username"], "password": account["password"],
                                       "csrfmiddlewaretoken": token}).encode()
        opener.open(urllib.request.Request(base + "/login/", data=body), timeout=120).read()
        for path in ("/", "/incidents/", "/incidents/board/", "/duty/", "/monitoring/alarms/", "/warnings/", "/map/",
                     "/api/v1/incidents/", "/api/v1/alarms/"):
            opener.open(base + path, timeout=120).read()


def stored_count_fresh() -> int | None:
    """Readings stored so far (a fresh connection each time: never a long-open transaction)."""
    from django.db import connection

    try:
        return stored_count()
    finally:
        connection.close()


def count_tracebacks(data: Path) -> int:
    """Tracebacks in the web and ingest logs (an unexpected exception anywhere in the run)."""
    return sum(path.read_text(errors="replace").count("Traceback (most recent call last)")
               for path in data.glob("*.log") if path.name not in ("locust.log", "demo.log"))


if __name__ == "__main__":
    sys.exit(main())
