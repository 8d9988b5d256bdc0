"""`yingji serve` stops within a few seconds on SIGTERM even while consoles hold open live
streams (SSE), ending those streams cleanly instead of being killed (issue 14)."""

from __future__ import annotations

import http.cookiejar
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

from tests.browser.conftest import DEMO_PASSWORD
from tests.platform import free_port
from tests.conftest import REPO


def _open_stream(base: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": "duty", "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}).encode()
    opener.open(urllib.request.Request(base + "/login/", data=body, headers={"Referer": base + "/login/"}), timeout=10)
    stream = opener.open(base + "/live/stream?channels=alarms", timeout=30)
    assert stream.readline().startswith(b"retry:")
    return stream


def test_sigterm_with_open_streams_stops_the_server_quickly(platform):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(REPO / "artifacts" / "shutdown-server.log", "w") if (REPO / "artifacts").is_dir() else subprocess.DEVNULL
    server = subprocess.Popen([sys.executable, "-m", "yingji.cli", "serve", "--port", str(port)],
                              env=dict(platform.env, YINGJI_INPROCESS_WORKER="0"), cwd=REPO, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        streams = [_open_stream(base) for _ in range(2)]
        ended = []
        for stream in streams:
            threading.Thread(target=lambda s=stream: ended.append(s.read()), daemon=True).start()
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        elapsed = time.monotonic() - started
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)
    assert server.returncode in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after a clean shutdown
    assert elapsed < 3.0, f"stopped after {elapsed:.1f} s"
    deadline = time.monotonic() + 5
    while len(ended) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(ended) == 2  # both streams were closed by the server, not left hanging
