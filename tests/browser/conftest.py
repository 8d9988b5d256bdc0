"""Browser tests: the real platform (``yingji demo --load-only`` + ``yingji serve``) in a
subprocess with its own database, driven by Debian's Chromium through Playwright.

Every page records the requests it makes; ``external_requests`` lists any that went to a
host other than the server. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import ARTIFACTS, REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DEMO_PASSWORD = "yingji-demo-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(tmp: Path) -> tuple[str, callable]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'browser.sqlite3'}", lambda: None
    import psycopg

    name = f"yingji_browser_{uuid.uuid4().hex[:8]}"
    parsed = urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return parsed._replace(path=f"/{name}").geturl(), drop


class Platform:
    def __init__(self, base_url: str, env: dict, process: subprocess.Popen):
        self.base_url = base_url
        self.env = env
        self.process = process

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "yingji.cli", *args], env=self.env, cwd=REPO,
                              capture_output=True, text=True, check=check, timeout=300)


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("platform")
    db_url, drop = _database_url(tmp)
    env = dict(os.environ, YINGJI_DATA_DIR=str(tmp), DATABASE_URL=db_url, YINGJI_BACKGROUND="0",
               PYTHONPATH=str(REPO))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([sys.executable, "-m", "yingji.cli", "demo", "--load-only"], env=env, cwd=REPO, check=True,
                   capture_output=True, timeout=600)
    port = _free_port()
    log = open(tmp / "server.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "yingji.cli", "serve", "--port", str(port)], env=env, cwd=REPO,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError((tmp / "server.log").read_text())
    yield Platform(base, env, process)
    process.terminate()
    try:
        process.wait(timeout=3)
    except subprocess.TimeoutExpired:  # an open SSE stream can hold the server past its grace period
        process.kill()
        process.wait(timeout=10)
    drop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed (run ./run setup)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


class RecordedPage:
    """A page plus every request it made, to prove the console stays on the server."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))

    def external_requests(self) -> list[str]:
        server = urlparse(self.base_url).netloc
        return [u for u in self.requests if urlparse(u).scheme in ("http", "https", "ws", "wss")
                and urlparse(u).netloc != server]

    def login(self, username: str, password: str = DEMO_PASSWORD) -> None:
        self.page.goto(self.base_url + "/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(lambda url: "/login/" not in url)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path


@pytest.fixture
def web(browser, platform):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    recorded = RecordedPage(page, platform.base_url)
    yield recorded
    context.close()


def wait_until(page, expression: str, timeout: float = 30000) -> None:
    """Wait until a page expression is truthy. Playwright's ``wait_for_function`` compiles its
    predicate with eval inside the page, which our Content-Security-Policy (no unsafe-eval)
    refuses; ``page.evaluate`` runs through the DevTools protocol and is not subject to it."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        if page.evaluate(expression):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        page.wait_for_timeout(100)
