"""Helpers of the restore drill and the multi-process tests: fresh databases of their own
(``yingji_scale_*`` on PostgreSQL, files on SQLite) and ``yingji`` subprocesses against them."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

from tests.conftest import REPO


class Database:
    """A new, empty database on the engine of ``DATABASE_URL`` (SQLite when unset)."""

    def __init__(self, tmp: Path, purpose: str):
        base = os.environ.get("DATABASE_URL", "")
        self.admin_url = ""
        if base.startswith("postgres"):
            import psycopg

            self.name = f"yingji_scale_{purpose}_{uuid.uuid4().hex[:8]}"
            parsed = urlparse(base)
            self.admin_url = parsed._replace(path="/postgres").geturl()
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = parsed._replace(path=f"/{self.name}").geturl()
        else:
            self.name = str(tmp / f"{purpose}.sqlite3")
            self.url = f"sqlite:///{self.name}"
        self.vendor = "postgresql" if self.admin_url else "sqlite"

    def drop(self) -> None:
        if self.admin_url:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def sql(self, query: str, params=()) -> list[tuple]:
        if self.admin_url:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return conn.execute(query, params).fetchall()
        import sqlite3

        with sqlite3.connect(self.name, timeout=30) as conn:
            return conn.execute(query.replace("%s", "?"), params).fetchall()


def env_for(db: Database, data_dir: Path, **extra) -> dict:
    return dict(os.environ, DATABASE_URL=db.url, YINGJI_DATA_DIR=str(data_dir), YINGJI_BACKGROUND="0",
                PYTHONPATH=str(REPO), DJANGO_SETTINGS_MODULE="yingji.settings", **extra)


def yingji(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "yingji.cli", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)
