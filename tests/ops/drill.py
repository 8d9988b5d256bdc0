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
    """A new database on the engine of ``DATABASE_URL`` (SQLite when unset): empty, or a copy of
    the already migrated test database (``template``: saves a ``yingji migrate`` per test)."""

    def __init__(self, tmp: Path, purpose: str, template: str = ""):
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
            if template:  # pg_dump | pg_restore of the test database (a few seconds, not a migrate)
                dump = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                                       "--dbname", parsed._replace(path=f"/{template}").geturl()],
                                      capture_output=True, check=True)
                subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                                "--dbname", self.url], input=dump.stdout, capture_output=True, check=True)
        else:
            self.name = str(tmp / f"{purpose}.sqlite3")
            self.url = f"sqlite:///{self.name}"
            if template:
                from django.db import connection
                import sqlite3

                connection.ensure_connection()
                with sqlite3.connect(self.name) as dest:
                    connection.connection.backup(dest)
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


def migrated_copy(tmp: Path, purpose: str) -> Database:
    """A copy of pytest-django's migrated test database, as it is before any test writes (no test
    of this suite commits to it); the calling test carries ``conftest.COPIES_TEST_DB``."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return Database(tmp, purpose, template=connection.settings_dict["NAME"])
    return Database(tmp, purpose, template="memory")


def env_for(db: Database, data_dir: Path, **extra) -> dict:
    return dict(os.environ, DATABASE_URL=db.url, YINGJI_DATA_DIR=str(data_dir), YINGJI_BACKGROUND="0",
                PYTHONPATH=str(REPO), DJANGO_SETTINGS_MODULE="yingji.settings", **extra)


def yingji(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "yingji.cli", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)
