"""Browser tests: the real platform (``yingji demo --load-only`` + ``yingji serve``) in a
subprocess with its own database, driven by Debian's Chromium through Playwright.

Every page records the requests it makes; ``external_requests`` lists any that went to a
host other than the server. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import ARTIFACTS
from tests.platform import demo_platform

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DEMO_PASSWORD = "yingji-demo-2026"


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    with demo_platform(tmp_path_factory.mktemp("platform"), "browser") as running:
        yield running


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

