"""Databases of their own for the tests that run the platform in subprocesses (the browser and
fuzz platforms, the MQTT workers, the restore drill, the multi-process tests), on the engine of
``DATABASE_URL``: a new PostgreSQL database on its server, else a SQLite file in the test's
directory. Each is empty, a copy of an idle template (``create(..., template_url=...)``:
``CREATE DATABASE … TEMPLATE`` or a file copy), or a copy of pytest-django's test database in use
(``migrated_copy``: pg_dump and pg_restore, or SQLite's backup API — a database with open
connections cannot be a PostgreSQL template)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse


def _admin(url: str) -> str:
    return urlparse(url)._replace(path="/postgres").geturl()


def _drop_postgres(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create(tmp: Path, label: str, *, template_url: str = "") -> tuple[str, Callable[[], None]]:
    """(URL, drop) of a new database: on the engine of ``template_url`` when given (a copy of that
    idle database), else of ``DATABASE_URL`` (empty)."""
    base = template_url or os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        target = tmp / f"{label}.sqlite3"
        if template_url:
            shutil.copy2(template_url.removeprefix("sqlite:///"), target)
        return f"sqlite:///{target}", lambda: None
    import psycopg

    name = f"yingji_{label}_{uuid.uuid4().hex[:8]}"
    statement = f'CREATE DATABASE "{name}"'
    if template_url:
        statement += f' TEMPLATE "{urlparse(template_url).path.lstrip("/")}"'
    for attempt in range(20):  # another copy of the same template may hold it for a moment
        try:
            with psycopg.connect(_admin(base), autocommit=True) as conn:
                conn.execute(statement)
            break
        except psycopg.errors.ObjectInUse:
            if attempt == 19:
                raise
            time.sleep(0.5)
    url = urlparse(base)._replace(path=f"/{name}").geturl()
    return url, lambda: _drop_postgres(url)


class Database:
    """A new database (``create``) with ``sql`` to look into it from the test. ``template``: the
    name of the test database in use, copied into it (see ``migrated_copy``)."""

    def __init__(self, tmp: Path, purpose: str, template: str = ""):
        self.url, self._drop = create(tmp, f"scale_{purpose}")
        self.vendor = "postgresql" if self.url.startswith("postgres") else "sqlite"
        self.name = urlparse(self.url).path.lstrip("/") if self.vendor == "postgresql" else self.url.removeprefix("sqlite:///")
        if not template:
            return
        if self.vendor == "postgresql":  # a few seconds, not a migrate
            source = urlparse(self.url)._replace(path=f"/{template}").geturl()
            dump = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--dbname", source],
                                  capture_output=True, check=True)
            subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", self.url],
                           input=dump.stdout, capture_output=True, check=True)
        else:
            import sqlite3

            from django.db import connection

            connection.ensure_connection()
            with sqlite3.connect(self.name) as dest:
                connection.connection.backup(dest)

    def drop(self) -> None:
        self._drop()

    def sql(self, query: str, params=()) -> list[tuple]:
        if self.vendor == "postgresql":
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
