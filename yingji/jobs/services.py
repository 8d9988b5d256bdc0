"""A small, durable job queue on the database.

    @handler("warnings.deliver_batch")
    def deliver(payload): ...

    enqueue("warnings.deliver_batch", {"warning": 1}, delay_s=0)

A job is claimed by one worker (lease with ``locked_until``), retried with exponential
back-off when its handler raises, and marked failed after ``max_attempts``. A worker that
dies leaves its lease to expire and the job is picked up again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import traceback
from contextvars import ContextVar
from typing import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, transaction
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)
HANDLERS: dict[str, Callable[[dict], None]] = {}
_ORIGINS: dict[str, str] = {}
LEASE = dt.timedelta(minutes=5)
_CURRENT: ContextVar[Job | None] = ContextVar("yingji_current_job", default=None)


def current_job() -> Job | None:
    """The job whose handler is running (None outside a handler): long operations report
    their progress on it (``live.progress``)."""
    return _CURRENT.get()


def handler(kind: str):
    """Register the job handler for ``kind``; a second handler for the same kind is an error."""
    def register(func):
        origin = f"{func.__module__}.{func.__qualname__}"
        previous = _ORIGINS.setdefault(kind, origin)  # (core.apps.claim's rule; jobs sits below core)
        if previous != origin:
            raise ImproperlyConfigured(f"Duplicate job handler kind {kind!r}: declared by {previous} and by {origin}")
        HANDLERS[kind] = func
        return func

    return register


def enqueue(kind: str, payload: dict | None = None, *, delay_s: float = 0, max_attempts: int = 5,
            division_code: str = "") -> Job:
    """Queue a job; ``division_code`` says whose it is (who may watch its progress)."""
    return Job.objects.create(kind=kind, payload=payload or {}, max_attempts=max_attempts, division_code=division_code,
                              run_at=timezone.now() + dt.timedelta(seconds=delay_s))


def backoff_seconds(attempts: int) -> float:
    return min(2 ** attempts, 300)


def _claim(worker: str, limit: int) -> list[Job]:
    now = timezone.now()
    with transaction.atomic():
        ready = (Job.objects.select_for_update(skip_locked=True)
                 .filter(status__in=["queued", "running"], run_at__lte=now)
                 .exclude(status="running", locked_until__gt=now)
                 .order_by("run_at", "id")[:limit])
        jobs = list(ready)
        ids = [j.id for j in jobs]
        Job.objects.filter(id__in=ids).update(status="running", locked_by=worker, locked_until=now + LEASE)
        Job.objects.filter(id__in=ids, started_at__isnull=True).update(started_at=now)
    return jobs


def _finish(job: Job, error: str | None) -> None:
    now = timezone.now()
    if error is None:
        Job.objects.filter(id=job.id).update(status="done", finished_at=now, attempts=job.attempts + 1, last_error="")
        return
    attempts = job.attempts + 1
    if attempts >= job.max_attempts:
        Job.objects.filter(id=job.id).update(status="failed", finished_at=now, attempts=attempts, last_error=error)
    else:
        Job.objects.filter(id=job.id).update(status="queued", attempts=attempts, last_error=error,
                                             run_at=now + dt.timedelta(seconds=backoff_seconds(attempts)))


def run_pending(worker: str | None = None, limit: int = 20) -> int:
    """Run the jobs that are due now. Returns how many ran."""
    worker = worker or f"{socket.gethostname()}:{os.getpid()}"
    jobs = _claim(worker, limit)
    for job in jobs:
        func = HANDLERS.get(job.kind)
        if func is None:
            _finish(job, f"没有处理程序：{job.kind}")
            continue
        token = _CURRENT.set(job)
        try:
            func(job.payload)
        except Exception:  # noqa: BLE001 - the error is stored on the job and retried
            _finish(job, traceback.format_exc(limit=5))
        else:
            _finish(job, None)
        finally:
            _CURRENT.reset(token)
    return len(jobs)


def cancel(kind: str, **payload_match) -> int:
    qs = Job.objects.filter(kind=kind, status="queued")
    for key, value in payload_match.items():
        qs = qs.filter(**{f"payload__{key}": value})
    return qs.update(status="cancelled", finished_at=timezone.now())


def work_forever(stop: threading.Event, idle_sleep: float = 0.5) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            ran = run_pending()
        except Exception:  # noqa: BLE001 - keep the worker alive, log, retry
            log.exception("job worker loop failed")
            ran = 0
        if not ran:
            stop.wait(idle_sleep)


def run_periodically(name: str, every_s: float, func: Callable[[], object], stop: threading.Event) -> threading.Thread:
    """Call ``func()`` every ``every_s`` seconds in a daemon thread until ``stop`` is set.
    A failure is logged and the next round tries again (background checkers, pollers)."""

    def loop():
        while not stop.is_set():
            close_old_connections()
            try:
                func()
            except Exception:  # noqa: BLE001 - keep the loop alive; the next round retries
                log.exception("%s failed", name)
            stop.wait(every_s)

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    return thread


def start_in_process_worker() -> threading.Event:
    """The embedded mode's worker: a daemon thread in the web process."""
    stop = threading.Event()
    threading.Thread(target=work_forever, args=(stop,), name="yingji-jobs", daemon=True).start()
    return stop


def wait_idle(timeout: float = 10.0) -> bool:
    """For tests and the CLI: run due jobs until none is left."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not run_pending():
            return True
    return False
