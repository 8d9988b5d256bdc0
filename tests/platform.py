"""The real platform in a subprocess, for the stages that test it from outside (browser, fuzz):
``yingji demo --load-only`` into a throwaway data directory and database (a fresh PostgreSQL
database when ``DATABASE_URL`` names PostgreSQL, else a SQLite file in the directory), then
``yingji serve`` on a free port. Nothing it writes reaches the developer's own data.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

from tests.conftest import REPO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def throwaway_database(tmp: Path, label: str) -> tuple[str, Callable[[], None]]:
    """(database URL, drop) of a new empty database for one platform."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / f'{label}.sqlite3'}", lambda: None
    import psycopg

    name = f"yingji_{label}_{uuid.uuid4().hex[:8]}"
    parsed = urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return parsed._replace(path=f"/{name}").geturl(), drop


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
    db_url, drop = throwaway_database(tmp, label)
    env = dict(os.environ, YINGJI_DATA_DIR=str(tmp), DATABASE_URL=db_url, YINGJI_BACKGROUND="0",
               PYTHONPATH=str(REPO))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = None
    try:
        subprocess.run([sys.executable, "-m", "yingji.cli", "demo", "--load-only"], env=env, cwd=REPO, check=True,
                       capture_output=True, timeout=600)
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
