"""Locust user classes for the load test of the console and the API (``bench/bench_load.py``).

A duty officer (值班员) signs in to the console (the login form: a session) and holds an API token,
then, with a think time between actions: opens the duty board (值班台), the home page, the incident
board, an incident's page, the duty calendar, the alarms page, the one-map with every overlay layer
(GeoJSON), the warnings list; reads incidents and alarms through the API; files incidents — the
API intake (接报, idempotent) followed by its 首报, and the console's intake form; acknowledges an
alarm waiting for it.

Run by ``bench/bench_load.py`` (which prepares the database, the accounts and this file's input);
by hand against a running platform::

    YINGJI_LOAD_CONFIG=accounts.json locust -f bench/locustfile.py --headless -u 20 -r 5 -t 30s \
        --host http://127.0.0.1:8000

``accounts.json``: ``{"users": [{"username", "password", "token"}, ...]}``. Optional:
``YINGJI_LOAD_WAIT_MIN``/``_MAX`` (think time, s), ``YINGJI_LOAD_MEASURE_S`` (restart the
statistics when every user has signed in and stop that many seconds later), ``YINGJI_LOAD_RESULT``
(a JSON file: counters, the measured window, the statistics).

Every request is named by its route pattern (``/incidents/{id}/``), never by an id, so the
statistics group by page. A request fails when it answers 4xx/5xx, an error page
(``class="error-page"``), or the login page where a signed-in page was expected. An alarm that
another officer acknowledged first (409 conflict, or 400 illegal transition) is the expected
outcome of two people on one alarm: counted as success, and counted in ``YINGJI_LOAD_RESULT``
(a JSON file written when the test stops) as ``ack_lost_race``.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import os
import random
import re
import threading
import time
import uuid

import gevent
from locust import HttpUser, between, events, task

CONFIG = json.loads(open(os.environ.get("YINGJI_LOAD_CONFIG", "bench-load-accounts.json"), encoding="utf-8").read())
ACCOUNTS = itertools.cycle(CONFIG["users"])
ACCOUNTS_LOCK = threading.Lock()
COUNTERS = {"signed_in": 0, "login_failures": 0, "incidents_filed": 0, "incidents_filed_console": 0, "reports_filed": 0, "alarms_acknowledged": 0, "ack_lost_race": 0,
            "ack_nothing_open": 0}
OVERLAYS: list[dict] = []  # the one-map's overlay layers, read from the map page once
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
INPUT = re.compile(r'<input[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"')
MAP_OVERLAYS = re.compile(r'<script id="map-overlays" type="application/json">(.*?)</script>', re.S)
ART12 = {
    "unit_overview": "负载测试单位（合成），从业人员50人",
    "time_place_scene": "今日，负载测试地点，现场情况稳定",
    "brief_course": "负载测试：值班员接报后按规定报送首报",
    "casualties_and_loss": "1人受伤，无死亡",
    "measures_taken": "已通知属地部门到场处置",
    "other_matters": "",
}
WAIT_MIN = float(os.environ.get("YINGJI_LOAD_WAIT_MIN", "1"))
WAIT_MAX = float(os.environ.get("YINGJI_LOAD_WAIT_MAX", "3"))
# Measured seconds once every user has signed in (0: locust's own -t and statistics, untouched).
MEASURE_S = float(os.environ.get("YINGJI_LOAD_MEASURE_S", "0"))
WINDOW: dict[str, float] = {}


def user_signed_in(environment) -> None:
    """When the last user has signed in, the statistics restart (the ramp and the logins, with
    their password hashing, are not the steady load) and the measured window begins."""
    COUNTERS["signed_in"] += 1
    runner = environment.runner
    if MEASURE_S and not WINDOW and COUNTERS["signed_in"] >= runner.target_user_count:
        runner.stats.reset_all()
        WINDOW["start"] = time.time()
        write_counters(environment)

        def finish():
            WINDOW["end"] = time.time()
            write_counters(environment)
            runner.quit()

        gevent.spawn_later(MEASURE_S, finish)


def summary(entry) -> dict:
    def pct(q):
        return entry.get_response_time_percentile(q) if entry.num_requests else None

    return {"name": entry.name, "method": entry.method, "requests": entry.num_requests, "failures": entry.num_failures,
            "p50_ms": pct(0.5), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "max_ms": round(entry.max_response_time) if entry.num_requests else None,
            "mean_ms": round(entry.avg_response_time, 1) if entry.num_requests else None}


def write_counters(environment, final: bool = False) -> None:
    """``YINGJI_LOAD_RESULT``: the counters and the window (written when the window opens), then
    with the statistics of the window (when locust quits)."""
    path = os.environ.get("YINGJI_LOAD_RESULT")
    if not path:
        return
    result = {"counters": COUNTERS, "window": WINDOW}
    if final:
        stats = environment.runner.stats
        result["total"] = summary(stats.total)
        result["by_name"] = [summary(e) for e in stats.entries.values() if e.num_requests or e.num_failures]
        result["errors"] = [{"name": f"{e.method} {e.name}", "error": str(e.error)[:300], "occurrences": e.occurrences}
                            for e in stats.errors.values()]
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        json.dump(result, out, ensure_ascii=False)
    os.replace(path + ".tmp", path)


@events.quitting.add_listener
def on_quitting(environment, **kwargs):
    write_counters(environment, final=True)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


class DutyOfficer(HttpUser):
    """One duty officer at the console; weights: reading far more than writing."""

    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self) -> None:
        with ACCOUNTS_LOCK:
            account = next(ACCOUNTS)
        self.username = account["username"]
        self.api = {"Authorization": f"Bearer {account['token']}"}
        self.incident_ids: list[int] = []
        self.filed: list[int] = []
        page = self.client.get("/login/", name="/login/")
        token = CSRF.search(page.text)
        with self.client.post("/login/", name="/login/", catch_response=True,
                              data={"username": account["username"], "password": account["password"],
                                    "csrfmiddlewaretoken": token.group(1) if token else ""}) as response:
            if response.status_code >= 400 or response.url.rstrip("/").endswith("/login"):
                COUNTERS["login_failures"] += 1
                response.failure(f"登录失败：{response.status_code}")
            else:
                response.success()
        user_signed_in(self.environment)

    # --- helpers ---------------------------------------------------------------------------------

    def page(self, path: str, name: str):
        """A console page: fails on 4xx/5xx, on an error page, and on a bounce to the login page."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code >= 400:
                response.failure(f"HTTP {response.status_code}")
            elif 'class="error-page"' in response.text:
                response.failure("错误页")
            elif "/login/" in response.url and not path.startswith("/login/"):
                response.failure("被重定向到登录页（会话丢失）")
            else:
                response.success()
            return response

    def api_get(self, path: str, name: str) -> dict | None:
        with self.client.get(path, name=name, headers=self.api, catch_response=True) as response:
            if response.status_code >= 400:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return None
            try:
                body = response.json()
            except ValueError:
                response.failure("不是 JSON")
                return None
            response.success()
            return body

    def api_post(self, path: str, name: str, body: dict, expected=(200, 201), lost_race=False):
        with self.client.post(path, name=name, headers=self.api, json=body, catch_response=True) as response:
            if response.status_code in expected:
                response.success()
                return response.json()
            if lost_race and response.status_code in (400, 409):
                code = (response.json().get("error") or {}).get("code", "") if response.text.startswith("{") else ""
                if response.status_code == 409 or code == "illegal_transition":
                    COUNTERS["ack_lost_race"] += 1
                    response.success()
                    return None
            response.failure(f"HTTP {response.status_code}: {response.text[:300]}")
            return None

    def known_incident(self) -> int | None:
        if not self.incident_ids:
            self.api_incidents()
        pool = self.incident_ids + self.filed
        return random.choice(pool) if pool else None

    # --- reading -------------------------------------------------------------------------------------

    @task(6)
    def duty_board(self):
        self.page("/incidents/", "/incidents/ 值班台")

    @task(2)
    def home(self):
        self.page("/", "/ 首页")

    @task(1)
    def incident_board(self):
        self.page("/incidents/board/", "/incidents/board/ 看板")

    @task(4)
    def incident_detail(self):
        pk = self.known_incident()
        if pk is not None:
            self.page(f"/incidents/{pk}/", "/incidents/{id}/ 事件详情")

    @task(1)
    def duty_calendar(self):
        self.page("/duty/", "/duty/ 排班")

    @task(4)
    def alarms_page(self):
        self.page("/monitoring/alarms/", "/monitoring/alarms/ 报警列表")

    @task(2)
    def warnings_page(self):
        self.page("/warnings/", "/warnings/ 预警列表")

    @task(2)
    def one_map(self):
        """The one-map page, then every overlay layer it loads (GeoJSON), as the browser does."""
        response = self.page("/map/", "/map/ 一张图")
        if not OVERLAYS:
            found = MAP_OVERLAYS.search(response.text or "")
            if found:
                OVERLAYS.extend(json.loads(found.group(1)))
        for overlay in OVERLAYS:
            self.api_get(overlay["url"], f"{overlay['url']} 图层")

    @task(3)
    def api_incidents(self):
        body = self.api_get("/api/v1/incidents/?open=1&page_size=20", "/api/v1/incidents/")
        if body:
            self.incident_ids = [item["id"] for item in body["items"]]

    @task(2)
    def api_incident_detail(self):
        pk = self.known_incident()
        if pk is not None:
            self.api_get(f"/api/v1/incidents/{pk}", "/api/v1/incidents/{id}")

    @task(3)
    def api_alarms(self):
        self.api_get("/api/v1/alarms/?open=true&page_size=20", "/api/v1/alarms/")

    # --- writing -------------------------------------------------------------------------------------

    @task(1)
    def file_incident(self):
        """接报 (the API intake, idempotent by client_token) then the 首报 of the new incident."""
        now = dt.datetime.now(dt.timezone.utc)
        body = {"client_token": str(uuid.uuid4()), "title": f"负载测试：道路交通事故（{self.username}）",
                "type_code": "accident.road_traffic", "description": "负载测试（合成）：两车相撞，1人受伤",
                "received_at": iso(now - dt.timedelta(minutes=3)), "occurred_at": iso(now - dt.timedelta(minutes=10)),
                "injuries": 1, "caller_name": "负载测试", "caller_phone": "13900000000"}
        incident = self.api_post("/api/v1/incidents/", "/api/v1/incidents/ 接报", body)
        if not incident:
            return
        COUNTERS["incidents_filed"] += 1
        self.filed = (self.filed + [incident["id"]])[-10:]
        report = self.api_post(f"/api/v1/incidents/{incident['id']}/reports/", "/api/v1/incidents/{id}/reports/ 首报",
                               {"kind": "first", "issuer": "值班员", "injuries": 1, **ART12}, expected=(201,))
        if report:
            COUNTERS["reports_filed"] += 1

    @task(1)
    def file_incident_in_console(self):
        """接报 in the console: the form page, then its POST (multipart, as the browser sends it with
        the attachments field), which redirects to the new incident's page."""
        form = self.page("/incidents/new/", "/incidents/new/ 接报表单")
        if form.status_code != 200:
            return
        fields = {name: html.unescape(value) for name, value in INPUT.findall(form.text) if not name.isdigit()}
        fields.update({"title": f"负载测试：控制台接报（{self.username}）", "type_code": "accident.road_traffic",
                       "description": "负载测试（合成）：控制台接报", "injuries": "1", "source": "phone", "caller_name": "负载测试"})
        with self.client.post("/incidents/new/", name="/incidents/new/ 接报提交", catch_response=True,
                              files={"attachments": ("", b"", "application/octet-stream")},
                              data={**fields, "csrfmiddlewaretoken": fields.get("csrfmiddlewaretoken", "")}) as response:
            if response.status_code >= 400 or 'class="error-page"' in response.text:
                response.failure(f"HTTP {response.status_code}: {re.sub(r'<[^>]+>', ' ', response.text)[:300]}")
            elif not re.search(r"/incidents/\d+/$", response.url):
                response.failure(f"未转到事件页：{response.url}")
            else:
                COUNTERS["incidents_filed_console"] += 1
                response.success()

    @task(2)
    def acknowledge_alarm(self):
        """The alarms waiting to be acknowledged, then 确认 on one of them (with its version)."""
        body = self.api_get("/api/v1/alarms/?open=true&state=raised&page_size=20", "/api/v1/alarms/?state=raised")
        if not body:
            return
        if not body["items"]:
            COUNTERS["ack_nothing_open"] += 1
            return
        alarm = random.choice(body["items"])
        done = self.api_post(f"/api/v1/alarms/{alarm['id']}/acknowledge", "/api/v1/alarms/{id}/acknowledge 确认",
                             {"note": "负载测试：已确认", "version": alarm["version"]}, expected=(200,), lost_race=True)
        if done:
            COUNTERS["alarms_acknowledged"] += 1
