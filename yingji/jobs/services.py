"""Background work through Django's Tasks interface (the ``django_tasks`` backport of Django 6.0's
``django.tasks`` on Django 5.2) with what the console needs on top: progress, retries with back-off,
leases and "failed after N attempts".

    @task("生成投递名单", max_attempts=3)
    def target(payload: dict) -> None: ...

    run = enqueue(target, {"warning": 1}, division_code="210900000000")

``task`` makes a ``django_tasks.Task`` (the backend's queue runs it: the database backend
``django_tasks_db`` by default, RQ on Redis with ``YINGJI_TASKS=rq``); ``enqueue`` records a
``TaskRun`` — the row the console follows, whose id stays the same across retries — and calls the
Task's ``.enqueue(run_id)``. An attempt that raises is recorded on the run and, while attempts
remain, enqueued again after ``backoff_seconds``; the last failure marks the run failed
("已尝试 N 次仍失败"). An attempt holds a lease (``LEASE``, renewed while it runs); a run whose lease
ran out lost its worker (killed process, machine down) and is retried or failed by ``reap``.

The Tasks backends have neither retries nor leases of their own (Django 6.0's interface leaves both
to the application), hence this layer; everything else — claiming with ``SELECT … FOR UPDATE SKIP
LOCKED``, delays (``run_after``), the worker loop — is the library's.
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

from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskContext, task_backends
from django_tasks import task as tasks_task

from .models import LEASE, TaskRun
from .progress import notify

log = logging.getLogger(__name__)
HEARTBEAT_S = 60.0  # a running attempt renews its lease this often (and at every progress report)
REAP_EVERY_S = 30.0
MAX_ATTEMPTS: dict[str, int] = {}  # task path → default attempts
LABELS: dict[str, str] = {}  # task path → what the console calls it (Chinese)
_CURRENT: ContextVar[TaskRun | None] = ContextVar("yingji_current_run", default=None)


def current_run() -> TaskRun | None:
    """The run whose task is executing (None outside a task): long operations report their
    progress on it (``jobs.progress``)."""
    return _CURRENT.get()


def backoff_seconds(attempts: int) -> float:
    return min(2 ** attempts, 300)


def task(label: str, *, max_attempts: int = 5, queue_name: str = "default"):
    """Define a background task: ``func(payload)`` becomes a ``django_tasks.Task`` (under the same
    module path, so any worker finds it) whose every attempt is recorded on its ``TaskRun``;
    ``label`` names it in the console (后台任务 page)."""

    def decorate(func: Callable[[dict], object]):
        def attempt(context: TaskContext, run_id: int) -> None:
            _attempt(func, context, run_id)

        # The Task is found by the worker under the original name (``module.func``).
        attempt.__module__, attempt.__qualname__, attempt.__name__ = func.__module__, func.__qualname__, func.__name__
        attempt.__doc__ = func.__doc__
        result = tasks_task(takes_context=True, queue_name=queue_name)(attempt)
        MAX_ATTEMPTS[result.module_path] = max_attempts
        LABELS[result.module_path] = label
        return result

    return decorate


def enqueue(the_task, payload: dict | None = None, *, delay_s: float = 0, max_attempts: int | None = None,
            division_code: str = "") -> TaskRun:
    """Record a run of ``the_task`` (a ``@task``, or its dotted path where importing its module would
    make a cycle) and queue its first attempt; ``division_code`` says whose it is (who may watch its
    progress)."""
    if isinstance(the_task, str):
        the_task = import_string(the_task)
    run = TaskRun.objects.create(task_path=the_task.module_path, payload=payload or {}, division_code=division_code,
                                 max_attempts=max_attempts or MAX_ATTEMPTS.get(the_task.module_path, 5))
    _submit(run, delay_s)
    return run


def _on_database_backend() -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def _submit(run: TaskRun, delay_s: float = 0) -> None:
    """Enqueue one attempt of ``run`` through the Tasks interface. On the database backend the task
    row is written in the caller's transaction (queued exactly when the record it is about commits);
    another backend (Redis) is told after the commit, so that no worker starts on an uncommitted run."""
    the_task = import_string(run.task_path)
    if delay_s > 0:
        the_task = the_task.using(run_after=timezone.now() + dt.timedelta(seconds=delay_s))

    def send() -> None:
        result = the_task.enqueue(run.pk)
        TaskRun.objects.filter(pk=run.pk).update(task_result_id=str(result.id))
        run.task_result_id = str(result.id)

    if _on_database_backend():
        send()
    else:
        transaction.on_commit(send)


def _attempt(func: Callable[[dict], object], context: TaskContext, run_id: int) -> None:
    run = TaskRun.objects.filter(pk=run_id).first()
    if run is None or run.status in ("done", "failed", "cancelled"):
        return
    now = timezone.now()
    worker = (context.task_result.worker_ids or [""])[-1][:100]
    TaskRun.objects.filter(pk=run.pk).update(status="running", attempts=F("attempts") + 1, worker=worker,
                                             lease_until=now + LEASE, task_result_id=str(context.task_result.id),
                                             started_at=Coalesce(F("started_at"), now))
    run.refresh_from_db()
    token = _CURRENT.set(run)
    heartbeat = _Heartbeat(run.pk)
    try:
        func(run.payload)
    except Exception:
        _attempt_failed(run, traceback.format_exc(limit=8))
        raise  # the backend records this attempt's task result as failed
    else:
        TaskRun.objects.filter(pk=run.pk).exclude(status="cancelled").update(
            status="done", finished_at=timezone.now(), lease_until=None, last_error="")
    finally:
        heartbeat.stop()
        _CURRENT.reset(token)


def _attempt_failed(run: TaskRun, error: str) -> None:
    now = timezone.now()
    if run.attempts >= run.max_attempts:
        TaskRun.objects.filter(pk=run.pk).update(status="failed", finished_at=now, lease_until=None, last_error=error)
        log.warning("task run %s (%s) failed after %s attempts", run.pk, run.task_path, run.attempts)
    else:
        TaskRun.objects.filter(pk=run.pk).update(status="retrying", lease_until=None, last_error=error)
        _submit(run, backoff_seconds(run.attempts))
    run.refresh_from_db()
    notify(run)


class _Heartbeat:
    """Renews the lease of a running attempt every ``HEARTBEAT_S`` (its own thread and connection,
    touched only after the first interval, so short tasks never open a second connection)."""

    def __init__(self, run_id: int):
        self.run_id, self.done = run_id, threading.Event()
        threading.Thread(target=self._beat, name=f"yingji-lease-{run_id}", daemon=True).start()

    def _beat(self) -> None:
        used = False
        try:
            while not self.done.wait(HEARTBEAT_S):
                used = True
                try:
                    TaskRun.objects.filter(pk=self.run_id, status="running").update(
                        lease_until=timezone.now() + LEASE)
                except Exception:  # noqa: BLE001 - e.g. SQLite busy under a long write; the next beat retries
                    log.warning("lease renewal of task run %s failed", self.run_id, exc_info=True)
        finally:
            if used:
                connection.close()

    def stop(self) -> None:
        self.done.set()


def renew_lease(run: TaskRun) -> None:
    TaskRun.objects.filter(pk=run.pk, status="running").update(lease_until=timezone.now() + LEASE)


def reap(now: dt.datetime | None = None) -> int:
    """Runs whose lease ran out (their worker died mid-attempt): the attempt is marked failed on the
    backend and the run is retried after its back-off, or failed when no attempt is left."""
    now = now or timezone.now()
    reaped = 0
    for run in TaskRun.objects.filter(status="running", lease_until__lt=now):
        error = f"执行进程中断：第 {run.attempts} 次执行的租约已于 {timezone.localtime(run.lease_until):%H:%M:%S} 过期"
        final = run.attempts >= run.max_attempts
        changed = TaskRun.objects.filter(pk=run.pk, status="running", lease_until__lt=now).update(
            status="failed" if final else "retrying", lease_until=None, last_error=error,
            **({"finished_at": now} if final else {}))
        if not changed:  # another worker reaped it, or it finished just now
            continue
        reaped += 1
        if _on_database_backend() and run.task_result_id:
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.filter(id=run.task_result_id, status="RUNNING").update(
                status="FAILED", finished_at=now, exception_class_path="yingji.jobs.LeaseExpired", traceback=error)
        if not final:
            _submit(run, backoff_seconds(run.attempts))
        run.refresh_from_db()
        notify(run)
    return reaped


def cancel(the_task, **payload_match) -> int:
    """Cancel the runs of ``the_task`` not yet started whose payload matches."""
    qs = TaskRun.objects.filter(task_path=the_task.module_path, status__in=["queued", "retrying"])
    for key, value in payload_match.items():
        qs = qs.filter(**{f"payload__{key}": value})
    return qs.update(status="cancelled", finished_at=timezone.now())


# -- workers ---------------------------------------------------------------------------------------

def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"[:64]


def _db_worker(*, batch: bool, interval: float = 0.5, max_tasks: int | None = None):
    """The database backend's own worker (``django_tasks_db``'s ``db_worker``), all queues."""
    from django_tasks_db.management.commands.db_worker import Worker

    class CountingWorker(Worker):
        ran = 0

        def run_task(self, db_task_result) -> None:
            super().run_task(db_task_result)
            self.ran += 1

    return CountingWorker(queue_names=["*"], interval=interval, batch=batch, backend_name="default",
                          startup_delay=False, max_tasks=max_tasks, worker_id=_worker_id(), excluded_queue_names=[])


def run_pending(limit: int = 20) -> int:
    """Run the tasks that are due now (up to ``limit``) in the caller's thread (tests, the CLI):
    the library's claim (``SELECT … FOR UPDATE SKIP LOCKED``) and ``run_task``, without the worker
    loop's connection recycling (which would end a caller's open transaction). Returns how many ran."""
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    reap()
    worker = _db_worker(batch=True, interval=0)
    while worker.ran < limit:
        ready = DBTaskResult.objects.ready().filter(backend_name="default")
        with exclusive_transaction(ready.db):
            claimed = ready.get_locked()
            if claimed is not None:
                claimed.claim(worker.worker_id)
        if claimed is None:
            break
        worker.run_task(claimed)
    return worker.ran


def wait_idle(timeout: float = 10.0) -> bool:
    """For tests and the CLI: run due tasks until none is left."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not run_pending():
            return True
    return False


def work_forever(stop: threading.Event, *, handle_signals: bool = False) -> None:
    """The database backend's worker loop until ``stop`` is set, with the lease check beside it.
    ``handle_signals`` (``yingji worker``'s main thread): SIGTERM/SIGINT let the running task finish."""
    run_periodically("yingji-task-leases", REAP_EVERY_S, reap, stop)
    try:
        _work(stop, handle_signals)
    finally:
        connection.close()  # this thread's own connection


def _work(stop: threading.Event, handle_signals: bool) -> None:
    while not stop.is_set():
        worker = _db_worker(batch=False)
        watcher = threading.Thread(target=lambda: (stop.wait(), setattr(worker, "running", False)), daemon=True)
        watcher.start()
        if handle_signals:
            worker.configure_signals()
        try:
            worker.run()
        except SystemExit:
            stop.set()
        except Exception:  # noqa: BLE001 - keep the worker alive, log, retry
            log.exception("task worker loop failed")
            stop.wait(1.0)


def run_periodically(name: str, every_s: float, func: Callable[[], object], stop: threading.Event) -> threading.Thread:
    """Call ``func()`` every ``every_s`` seconds in a daemon thread until ``stop`` is set.
    A failure is logged and the next round tries again (background checkers, pollers)."""

    def loop():
        try:
            while not stop.is_set():
                close_old_connections()
                try:
                    func()
                except Exception:  # noqa: BLE001 - keep the loop alive; the next round retries
                    log.exception("%s failed", name)
                stop.wait(every_s)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    return thread


def start_in_process_worker() -> threading.Event:
    """The embedded mode's worker: the database backend's worker in a daemon thread of the web
    process. With another backend (RQ) tasks are run by ``yingji worker`` processes instead."""
    stop = threading.Event()
    if _on_database_backend():
        threading.Thread(target=work_forever, args=(stop,), name="yingji-tasks", daemon=True).start()
    else:
        log.info("tasks backend is not the database: run `yingji worker` for background tasks")
    return stop
