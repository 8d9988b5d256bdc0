"""The real platform in a subprocess, for the stages that test it from outside (browser, fuzz):
``yingji demo --load-only`` into a throwaway data directory and database (a fresh PostgreSQL
database when ``DATABASE_URL`` names PostgreSQL, else a SQLite file in the directory), then
``yingji serve`` on a free port. Nothing it writes reaches the developer's own data.

Loading the demo (migrations and the synthetic data) is the slow part, so ``tests/stages.py``
loads it once per run into a snapshot (``demo_snapshot``) and names it in
``YINGJI_TEST_DEMO_SNAPSHOT``; every platform of the run then starts from a copy of it (the data
directory copied, the database copied as a file or cloned with ``CREATE DATABASE … TEMPLATE``).
Run directly (``pytest tests/browser``), a platform loads the demo itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.conftest import REPO
from tests.databases import create


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SNAPSHOT_ENV = "YINGJI_TEST_DEMO_SNAPSHOT"


def load_demo(env: dict) -> None:
    subprocess.run([sys.executable, "-m", "yingji.cli", "demo", "--load-only"], env=env, cwd=REPO, check=True,
                   capture_output=True, timeout=900)


def platform_env(tmp: Path, db_url: str) -> dict:
    # YINGJI_ROAD_HIERARCHIES=off: the demo network's contraction hierarchies (minutes of CPU per
    # platform) are not built; these platforms' matrices use the exact search, which gives the same
    # figures (tests/command/test_road_hierarchies.py covers the builds)
    env = dict(os.environ, YINGJI_DATA_DIR=str(tmp), DATABASE_URL=db_url, YINGJI_BACKGROUND="0",
               YINGJI_ROAD_HIERARCHIES="off", PYTHONPATH=str(REPO))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop(SNAPSHOT_ENV, None)
    return env


@contextlib.contextmanager
def demo_snapshot(tmp: Path) -> Iterator[str]:
    """The demo loaded once into ``tmp`` (and its own database); yields the value for
    ``YINGJI_TEST_DEMO_SNAPSHOT`` and drops the database when the block ends."""
    db_url, drop = create(tmp, "snapshot")
    try:
        load_demo(platform_env(tmp, db_url))
        yield json.dumps({"dir": str(tmp), "database": db_url})
    finally:
        drop()


def from_snapshot(snapshot: str, tmp: Path, label: str) -> tuple[str, Callable[[], None]]:
    """Copy the snapshot's data directory into ``tmp`` and its database into a new one of ours."""
    source = json.loads(snapshot)
    origin = Path(source["dir"])
    for item in origin.iterdir():
        if item.suffix.startswith(".sqlite3"):
            continue
        (shutil.copytree if item.is_dir() else shutil.copy2)(item, tmp / item.name)
    return create(tmp, label, template_url=source["database"])


class Platform:
    def __init__(self, base_url: str, env: dict, process: subprocess.Popen, data_dir: Path):
        self.base_url = base_url
        self.env = env
        self.process = process
        self.data_dir = data_dir

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "yingji.cli", *args], env=self.env, cwd=REPO,
                              capture_output=True, text=True, check=check, timeout=300)

    @property
    def server_log(self) -> Path:
        return self.data_dir / "server.log"


@contextlib.contextmanager
def demo_platform(tmp: Path, label: str) -> Iterator[Platform]:
    """The demo platform serving from ``tmp`` until the block ends (then stopped, its database dropped)."""
    snapshot = os.environ.get(SNAPSHOT_ENV)
    if snapshot:
        db_url, drop = from_snapshot(snapshot, tmp, label)
    else:
        db_url, drop = create(tmp, label)
    env = platform_env(tmp, db_url)
    process = None
    try:
        if not snapshot:
            load_demo(env)
        port = free_port()
        log = open(tmp / "server.log", "w")
        process = subprocess.Popen([sys.executable, "-m", "yingji.cli", "serve", "--port", str(port)], env=env,
                                   cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError((tmp / "server.log").read_text())
        yield Platform(base, env, process, tmp)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:  # an open SSE stream can hold the server past its grace period
                process.kill()
                process.wait(timeout=10)
        drop()
