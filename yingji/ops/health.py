"""Readiness: can this process serve now? The database always; the MQTT broker and Redis only
where they are configured (``YINGJI_MQTT_URL``, ``YINGJI_REDIS_URL``) — the embedded mode needs
neither, so an unconfigured service is not checked and does not make the platform unready."""

from __future__ import annotations

import os
import socket
import time
from urllib.parse import urlparse

from django.db import connections
from django.db.migrations.executor import MigrationExecutor

TIMEOUT_S = 2.0


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; the message says why
        return {"ok": False, "ms": round((time.perf_counter() - started) * 1000, 1), "error": _reason(exc)}
    result = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if detail:
        result.update(detail)
    return result


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


_MIGRATED: set[str] = set()  # aliases found fully migrated (a new migration comes with a restart)


def check_database(alias: str = "default") -> dict | None:
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    if alias not in _MIGRATED:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            raise RuntimeError(f"{len(pending)} 个数据库迁移未执行（yingji migrate）")
        _MIGRATED.add(alias)
    return {"vendor": connection.vendor}


def _address(url: str, default_port: int) -> tuple[str, int]:
    parsed = urlparse(url if "://" in url else f"tcp://{url}")
    return parsed.hostname or "127.0.0.1", parsed.port or default_port


def check_broker(url: str) -> None:
    """The MQTT broker accepts TCP connections (the ingest worker itself reconnects on its own)."""
    with socket.create_connection(_address(url, 1883), timeout=TIMEOUT_S):
        pass


def check_redis(url: str) -> None:
    """Redis answers PING (RESP, no client library needed for one command)."""
    parsed = urlparse(url)
    with socket.create_connection(_address(url, 6379), timeout=TIMEOUT_S) as sock:
        sock.settimeout(TIMEOUT_S)
        if parsed.password:
            user = parsed.username or "default"
            sock.sendall(_resp("AUTH", user, parsed.password))
            if not sock.recv(64).startswith(b"+OK"):
                raise RuntimeError("Redis 认证失败")
        sock.sendall(_resp("PING"))
        answer = sock.recv(64)
        if not answer.startswith(b"+PONG"):
            raise RuntimeError(f"Redis 应答异常：{answer[:40]!r}")


def _resp(*words: str) -> bytes:
    parts = [f"*{len(words)}\r\n".encode()]
    for word in words:
        data = word.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def readiness() -> tuple[bool, dict]:
    """``(ready, {check: {"ok", "ms", ["error"]}})`` for every dependency this process has."""
    checks = {"database": _timed(check_database)}
    broker = os.environ.get("YINGJI_MQTT_URL", "")
    if broker:
        checks["broker"] = _timed(lambda: check_broker(broker))
    redis = os.environ.get("YINGJI_REDIS_URL", "")
    if redis:
        checks["redis"] = _timed(lambda: check_redis(redis))
    return all(c["ok"] for c in checks.values()), checks
