"""Schemathesis against the live API (issue 13, finding 7): the demo platform with the synthetic
Fuxin data in a throwaway database, fuzzed through /api/v1/openapi.json as the city's system
administrator and as Zhangwu county's administrator. Any 5xx, any body that violates its
documented schema, any undocumented status or content type fails the build.

Settings (seed, checks, phases, generation mode) are in ``schemathesis.toml`` beside this file;
the number of examples per operation per user is below. docs/security.md says how to run it by
hand and records the figures of the last run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS
from tests.platform import demo_platform

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# Examples per operation in the fuzzing phase, per user: the stage stays under five minutes on a
# two-core machine (docs/security.md). The county user mostly meets scope refusals, so fewer.
USERS = {"zhangwu": 5, "admin": 8}


def schemathesis(schema: Path, base_url: str, token: str, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, YINGJI_FUZZ_TOKEN=token, NO_COLOR="1", COLUMNS="120")
    return subprocess.run([str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", str(schema), "--url", base_url, *args],
                          env=env, capture_output=True, text=True, timeout=timeout)


def summary(output: str) -> str:
    """The failures and summary sections of a schemathesis report (without the curl lines)."""
    start = output.find("= FAILURES =")
    text = output[start:] if start >= 0 else output[-4000:]
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("curl "))[:12000]


def server_errors(log: Path) -> str:
    """Each distinct exception in the server's log with the last frame of our code, counted."""
    found = Counter()
    for block in re.split(r"\n(?=Traceback)", log.read_text(errors="replace"))[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        ours = [line.strip() for line in lines if "yingji/" in line and line.strip().startswith("File")]
        raised = [line for line in lines if re.match(r"[\w.]+(Error|Exception)\b", line)] or lines[-1:]
        found[(raised[-1][:200], ours[-1] if ours else "")] += 1
    return "\n".join(f"{n}× {exc}  ({where})" for (exc, where), n in found.most_common())


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    with demo_platform(tmp_path_factory.mktemp("fuzz"), "fuzz") as running:
        yield running


@pytest.fixture(scope="module")
def document(platform) -> Path:
    """The OpenAPI document as the server serves it, fetched once (building it takes seconds)."""
    token = platform.cli("token", "admin").stdout.strip()
    request = urllib.request.Request(platform.base_url + "/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        body = response.read()
    path = platform.data_dir / "openapi.json"
    path.write_bytes(body)
    assert len(json.loads(body)["paths"]) > 200
    return path


@pytest.mark.parametrize("username", list(USERS))
def test_the_api_survives_fuzzing(platform, document, username):
    token = platform.cli("token", username).stdout.strip()
    started = time.monotonic()
    result = schemathesis(document, platform.base_url, token, "--max-examples", str(USERS[username]))
    elapsed = time.monotonic() - started
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"fuzz-{username}.txt").write_text(result.stdout + result.stderr)
    cases = re.search(r"(\d+) generated", result.stdout)
    print(f"schemathesis as {username}: {cases.group(1) if cases else '?'} cases in {elapsed:.0f} s, exit {result.returncode}")
    assert result.returncode == 0, (f"schemathesis as {username} failed (exit {result.returncode}); "
                                    f"full report in artifacts/fuzz-{username}.txt\n{summary(result.stdout + result.stderr)}\n"
                                    f"server exceptions:\n{server_errors(platform.server_log)}")
    assert cases and int(cases.group(1)) > 1000, result.stdout[-2000:]


# --- the settings catch what they should ------------------------------------------------------------

PROBE = {
    "openapi": "3.1.0",
    "info": {"title": "probe", "version": "1"},
    "paths": {
        f"/{name}": {"get": {"operationId": name, "responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"type": "object", "required": ["count"],
                                            "properties": {"count": {"type": "integer"}}}}}}}}}
        for name in ("boom", "teapot", "wrong", "fine")
    },
}
ANSWERS = {"/boom": (500, {"error": "boom"}), "/teapot": (418, {"count": 1}), "/wrong": (200, {"count": "many"}),
           "/fine": (200, {"count": 1})}


class ProbeHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        status, body = ANSWERS.get(self.path.split("?")[0], (404, {}))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_the_settings_fail_on_server_errors_undocumented_statuses_and_schema_violations(tmp_path):
    """The stage's settings against a four-route server: a 500, an undocumented 418, a body
    violating its schema, and one correct route. Only the correct route passes."""
    schema = tmp_path / "probe.json"
    schema.write_text(json.dumps(PROBE))
    server = ThreadingHTTPServer(("127.0.0.1", 0), ProbeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = schemathesis(schema, f"http://127.0.0.1:{server.server_port}", "probe", "--max-examples", "2", timeout=120)
    finally:
        server.shutdown()
    out = result.stdout
    assert result.returncode == 1, out
    assert re.search(r"Server error: 1\b", out), out
    assert re.search(r"Undocumented status code: 2\b", out), out  # 418 and the 500
    assert re.search(r"Response violates schema: 1\b", out), out
    assert re.search(r"1 passed .* 3 failed", out), out
