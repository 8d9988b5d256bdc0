"""Two installations, two databases (one SQLite, one PostgreSQL), two real server processes: a
county incident appears at the city, a city warning reaches the county, and both survive a cut
of the link in the middle (the relay between them cut, then the city's server stopped and
restarted) — the county keeps working offline with a visible queue and catches up by itself once
the city is back.

The city's database is a copy of this run's migrated test database (PostgreSQL: ``CREATE DATABASE
... TEMPLATE``; SQLite: the backup API), the county's is the other engine with its tables created
from the models (``tests/exchange/nomigrations_settings.py``): replaying every migration would
take over a minute on a loaded 2-core machine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlparse

import pytest

from tests.conftest import REPO, ZHANGWU, ZHANGWU_POINT
from tests.incidents.conftest import ART12
from tests.platform import free_port

CITY = "210900000000"
ADMIN_PG = os.environ.get("YINGJI_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")


def _pg_admin(url: str) -> str:
    return urlparse(url)._replace(path="/postgres").geturl()


class Side:
    """One installation: its environment, its server process, its API tokens."""

    def __init__(self, label: str, code: str, db_url: str, tmp, extra_env: dict):
        self.label, self.code, self.db_url = label, code, db_url
        self.dir = tmp / label
        self.dir.mkdir()
        self.env = dict(os.environ, YINGJI_DATA_DIR=str(self.dir), DATABASE_URL=db_url, PYTHONPATH=str(REPO),
                        YINGJI_SIMULATE="0", **extra_env)
        for key in ("DJANGO_SETTINGS_MODULE", "YINGJI_MQTT_URL"):
            self.env.pop(key, None)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.tokens: dict[str, str] = {}

    def prepare(self, mode: str) -> subprocess.Popen:
        env = dict(self.env)
        if mode == "syncdb":
            env["DJANGO_SETTINGS_MODULE"] = "tests.exchange.nomigrations_settings"
        else:
            env["DJANGO_SETTINGS_MODULE"] = "yingji.settings"
        return subprocess.Popen([sys.executable, "-m", "tests.exchange.side", mode, self.code], env=env, cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def start(self) -> None:
        log = open(self.dir / "server.log", "a")
        self.process = subprocess.Popen([sys.executable, "-m", "yingji.cli", "serve", "--port", str(self.port)],
                                        env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)

    def wait_up(self) -> None:
        for _ in range(600):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError((self.dir / "server.log").read_text())

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

    def call(self, method: str, path: str, user: str = "admin", body=None, expect=(200, 201, 202)):
        data = json.dumps(body, default=str).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}/api/v1/{path}", data=data, method=method, headers={
            "Authorization": f"Bearer {self.tokens[user]}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, payload = answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, json.loads(exc.read() or b"null")
        assert status in expect, (method, path, status, payload)
        return payload


class Link:
    """The network between the two installations: a TCP relay on the loopback that the county's
    parent URL points at. ``cut()`` drops every connection and refuses new ones (the link is
    down, both servers keep running); ``restore()`` relays again on the same port."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.listener: socket.socket | None = None
        self.open: list[socket.socket] = []
        self.restore()

    def restore(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        self.listener.close()
        for sock in self.open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        self.open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def until(what, check, timeout: float = 25.0):
    """Poll ``check()`` until it returns something truthy (the servers work in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in {timeout} s: {what}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def two_databases(tmp_path_factory, django_db_setup, django_db_blocker):
    """(city database URL, county database URL), dropped afterwards. Module-scoped so that the copy
    is taken before the test's own transaction opens (PostgreSQL copies only an idle template)."""
    from django.db import connection, connections

    tmp = tmp_path_factory.mktemp("databases")
    created = []
    with django_db_blocker.unblock():
        vendor, settings = connection.vendor, connection.settings_dict
        if vendor == "postgresql":
            import psycopg

            source = settings["NAME"]
            connections.close_all()
            base = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
            city_name = f"yingji_xch_city_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(_pg_admin(base + "/postgres"), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{city_name}" TEMPLATE "{source}"')
            created.append((_pg_admin(base + "/postgres"), city_name))
            city_url = f"{base}/{city_name}"
            county_url = f"sqlite:///{tmp / 'county.sqlite3'}"
        else:
            import psycopg

            connection.ensure_connection()
            target = sqlite3.connect(tmp / "city.sqlite3")
            connection.connection.backup(target)
            target.close()
            city_url = f"sqlite:///{tmp / 'city.sqlite3'}"
            county_name = f"yingji_xch_county_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(_pg_admin(ADMIN_PG), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{county_name}"')
            created.append((_pg_admin(ADMIN_PG), county_name))
            county_url = urlparse(ADMIN_PG)._replace(path=f"/{county_name}").geturl()
    try:
        yield city_url, county_url
    finally:
        import psycopg

        for admin, name in created:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _publish_warning(city: Side, title_event: str) -> dict:
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    warning = city.call("POST", "warnings/", "duty", {
        "event_type": "natural.meteorological", "event": title_event, "level": 3, "area_desc": "彰武县全境",
        "area_codes": [ZHANGWU], "effective": now.isoformat(), "expires": (now + dt.timedelta(hours=12)).isoformat(),
        "description": f"预计未来12小时彰武县将出现{title_event}。", "instruction": "注意防范，避免前往低洼地带。",
        "sender_name": "阜新市应急管理局", "contact": "0418-12345"})
    for user, action in (("duty", "submit"), ("admin", "approve"), ("commander", "sign"), ("duty", "publish")):
        warning = city.call("POST", f"warnings/{warning['id']}/actions/{action}", user, {"comment": "同意"})
    assert warning["state"] == "published"
    return warning


def _intake(county: Side, title: str) -> dict:
    now = dt.datetime.now(dt.timezone.utc)
    return county.call("POST", "incidents/", "duty", {
        "client_token": str(uuid.uuid4()), "title": title, "source": "phone", "type_code": "accident.hazchem",
        "received_at": (now - dt.timedelta(minutes=5)).isoformat(), "occurred_at": (now - dt.timedelta(minutes=15)).isoformat(),
        "division_code": ZHANGWU, "lon": ZHANGWU_POINT[0], "lat": ZHANGWU_POINT[1], "address": "彰武县测试工业园",
        "description": "储罐法兰泄漏起火，2人受伤", "injuries": 2})


def _received(side: Side, kind: str) -> list[dict]:
    return side.call("GET", f"exchange/received/?kind={kind}")["items"]


@pytest.mark.django_db  # this run's test database is set up (and copied for the city by two_databases)
def test_county_and_city_installations_exchange_and_survive_a_link_cut(tmp_path, two_databases):
    city_url, county_url = two_databases
    city = Side("city", CITY, city_url, tmp_path, {"YINGJI_BACKGROUND": "0"})
    # The county polls its parent every half second and backs off at most one second.
    county = Side("county", ZHANGWU, county_url, tmp_path, {
        "YINGJI_BACKGROUND": "1", "YINGJI_EXCHANGE_POLL_SECONDS": "0.5", "YINGJI_EXCHANGE_MAX_BACKOFF_SECONDS": "1"})
    try:
        preparing = [city.prepare("ready"), county.prepare("syncdb")]
        for side, process in zip((city, county), preparing):
            out, err = process.communicate(timeout=300)
            assert process.returncode == 0, err
            side.tokens = json.loads(out.strip().splitlines()[-1])
        city.start()
        county.start()
        city.wait_up()
        county.wait_up()

        # The city issues the county's credential; the county configures its parent with it (over
        # the link: a relay it can cut).
        link = Link(city.port)
        issued = city.call("POST", "exchange/children/", body={"name": "彰武县平台", "division_code": ZHANGWU})
        parent = county.call("POST", "exchange/parent", body={"name": "阜新市平台", "url": link.url,
                                                               "credential": issued["credential"]})
        assert parent["pending"] == 0

        # A county incident appears at the city, with the deadlines counted at the county.
        incident = _intake(county, "彰武县化工企业储罐泄漏起火")
        seen = until("the incident at the city", lambda: _received(city, "incident"))
        assert seen[0]["title"] == incident["title"] and seen[0]["division_code"] == ZHANGWU
        detail = city.call("GET", f"exchange/received/{seen[0]['id']}")
        assert detail["body"]["deadlines"] and detail["body"]["figures"]["injuries"] == 2
        child = until("contact recorded", lambda: [c for c in city.call("GET", "exchange/children/")["items"]
                                                   if c["last_contact_at"]])[0]
        assert child["state"] == "ok" and child["received_count"] >= 1

        # A city warning reaches the county as CAP, into its external-warning intake.
        _publish_warning(city, "暴雨")
        until("the warning at the county", lambda: _received(county, "warning"))
        alerts = county.call("GET", "imported-alerts/")["items"]
        assert len(alerts) == 1

        # The link is cut in the middle: the city publishes again (queued at the city, visible
        # there), then the city's server stops while the county works on offline.
        link.cut()
        _publish_warning(city, "大风")
        assert city.call("GET", "exchange/children/")["items"][0]["parent_pending"] == 1
        city.stop()
        report = county.call("POST", f"incidents/{incident['id']}/reports/", "duty",
                             {"kind": "first", **ART12, "issuer": "李局长", "injuries": 3})
        second = _intake(county, "彰武县某镇民房倒塌")
        queued = until("the county's queue while the city is down",
                       lambda: (lambda p: p if p["pending"] >= 2 and p["failures"] >= 1 else None)(
                           county.call("GET", "exchange/parent")))
        assert queued["last_error"] and queued["state"] == "error"
        assert report["kind"] == "first"

        # The city comes back and the link with it: the county catches up by itself, in order,
        # nothing applied twice; the city's queued warning survived its restart.
        city.start()
        city.wait_up()
        link.restore()
        until("the second incident at the city", lambda: len(_received(city, "incident")) == 2)
        until("the 大风 warning at the county", lambda: len(county.call("GET", "imported-alerts/")["items"]) == 2)
        first = next(r for r in _received(city, "incident") if r["title"] == incident["title"])
        body = city.call("GET", f"exchange/received/{first['id']}")["body"]
        assert [r["kind"] for r in body["reports"]] == ["first"] and body["figures"]["injuries"] == 3
        assert first["seq"] == 2
        until("the county's queue empty", lambda: county.call("GET", "exchange/parent")["pending"] == 0)
        titles = {r["title"] for r in _received(city, "incident")}
        assert titles == {incident["title"], second["title"]}
    finally:
        county.stop()
        city.stop()
