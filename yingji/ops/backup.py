"""Backup and restore of the platform's database, while it runs.

* SQLite: the online backup API (``sqlite3.Connection.backup``, all pages in one step): a
  consistent copy of the database as of one moment, taken while other processes keep writing
  (WAL mode: writers are not stopped, the copy is the snapshot its read transaction saw).
* PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot, the server keeps serving) and
  ``pg_restore`` into an empty database. The client tools must be of the server's major version
  or newer (Debian: ``postgresql-client``).

A restore goes only into an EMPTY database (no table yet): it never mixes a backup with what a
database already holds. The audit log's hash chain travels with the data; the key that signs it
(``YINGJI_AUDIT_KEY``, or ``audit.key`` in the data dir) must be kept with the backups, or
``yingji audit verify`` cannot check the restored copy.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is for the operator (Chinese)."""


def _settings(alias: str) -> dict:
    return connections[alias].settings_dict


def engine(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持的数据库类型：{vendor}")
    return vendor


def kind_of(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} 不是 Yingji 备份文件（既非 SQLite 数据库，也非 pg_dump 自定义格式）")


def _pg_env(alias: str) -> tuple[list[str], dict]:
    s = _settings(alias)
    args = ["--host", s.get("HOST") or "127.0.0.1", "--port", str(s.get("PORT") or 5432)]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"找不到 {name}：请安装与数据库服务器同一主版本（或更新）的 PostgreSQL 客户端（postgresql-client）")
    return found


def _sqlite_path(alias: str) -> str:
    return str(_settings(alias)["NAME"])


def backup(target: Path, alias: str = "default") -> dict:
    """Write a consistent backup of the running database to ``target``; returns a summary."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} 已存在：备份不覆盖已有文件")
    target.parent.mkdir(parents=True, exist_ok=True)
    vendor = engine(alias)
    started = time.monotonic()
    partial = target.with_name(target.name + ".partial")
    try:
        if vendor == "sqlite":
            source = sqlite3.connect(_sqlite_path(alias), timeout=30)
            dest = sqlite3.connect(partial)
            try:
                source.backup(dest)  # all pages in one step: one snapshot
            finally:
                dest.close()
                source.close()
        else:
            args, env = _pg_env(alias)
            done = subprocess.run([_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--no-privileges",
                                   "--file", str(partial), _settings(alias)["NAME"]], env=env, capture_output=True,
                                  text=True)
            if done.returncode:
                raise BackupError(f"pg_dump 失败：{done.stderr.strip()[:500]}")
        partial.rename(target)  # a file under the final name is always a complete backup
    finally:
        partial.unlink(missing_ok=True)
    return {"file": str(target), "engine": vendor, "bytes": target.stat().st_size,
            "seconds": round(time.monotonic() - started, 2)}


def table_count(alias: str = "default") -> int:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return len(connection.introspection.table_names(cursor))


def restore(source: Path, alias: str = "default") -> dict:
    """Restore ``source`` into the configured database, which must be empty."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"找不到备份文件 {source}")
    kind, vendor = kind_of(source), engine(alias)
    if kind != vendor:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(f"备份来自 {names[kind]}，当前数据库是 {names[vendor]}：只能恢复到同类数据库")
    if table_count(alias):
        raise BackupError("目标数据库不是空库：恢复只写入新建的空数据库（不与现有数据混合）")
    started = time.monotonic()
    connections[alias].close()
    if vendor == "sqlite":
        source_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dest = sqlite3.connect(_sqlite_path(alias), timeout=30)
        try:
            source_db.backup(dest)
        finally:
            dest.close()
            source_db.close()
    else:
        args, env = _pg_env(alias)
        done = subprocess.run([_tool("pg_restore"), *args, "--no-owner", "--no-privileges", "--exit-on-error",
                               "--single-transaction", "--dbname", _settings(alias)["NAME"], str(source)], env=env,
                              capture_output=True, text=True)
        if done.returncode:
            raise BackupError(f"pg_restore 失败：{done.stderr.strip()[:500]}")
    return {"file": str(source), "engine": vendor, "tables": table_count(alias),
            "seconds": round(time.monotonic() - started, 2)}
