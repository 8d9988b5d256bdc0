"""Progress of a long operation running as a background task: done / total / text on its
``TaskRun`` row (which also renews the attempt's lease), written
between the operation's steps (each step commits on its own — on SQLite a second writer waits for an
open transaction, so an operation that must run in ONE transaction reports differently, see
``core.batches``).

Listeners are told of every report: the live push registers one (``live.progress``) that turns
reports into events on the ``progress`` channel, so a page's bar moves without polling. They are
registered from above because ``jobs`` sits below ``live`` in the floor.

    tracker = Tracker(current_run(), total=len(steps))
    for step in steps:
        ...
        tracker.advance(text="已生成 12,000 条")
    tracker.finish(text="共 1,200,000 条，用时 4.2 秒", result={...})
"""

from __future__ import annotations

import time
from typing import Callable

from django.utils import timezone

from .models import LEASE, TaskRun

MIN_INTERVAL_S = 0.25  # listeners hear at most four reports a second per operation (the last always)
LISTENERS: list[Callable[[TaskRun, dict], None]] = []


def listen(listener: Callable[[TaskRun, dict], None]) -> None:
    if listener not in LISTENERS:
        LISTENERS.append(listener)


class Tracker:
    """Reports the progress of the run ``job`` (does nothing without one, e.g. when the same
    operation runs inside a request)."""

    def __init__(self, job: TaskRun | None, total: int, text: str = ""):
        self.job, self.total, self.done = job, max(total, 0), 0
        self._last = 0.0
        self._report(text, force=True)

    def advance(self, steps: int = 1, text: str = "") -> None:
        self.done = min(self.done + steps, self.total)
        self._report(text)

    def set(self, done: int, text: str = "") -> None:
        self.done = min(max(done, 0), self.total)
        self._report(text)

    def finish(self, text: str = "", result: dict | None = None) -> None:
        self.done = self.total
        self._report(text, force=True, result=result, status="done")

    def fail(self, text: str) -> None:
        self._report(text, force=True, status="failed")

    def _report(self, text: str, *, force: bool = False, result: dict | None = None, status: str = "running") -> None:
        if self.job is None:
            return
        fields = {"progress_done": self.done, "progress_total": self.total, "progress_text": text[:300],
                  "lease_until": timezone.now() + LEASE}
        if result is not None:
            fields["result"] = result
        TaskRun.objects.filter(pk=self.job.pk).update(**fields)
        now = time.monotonic()
        if not force and now - self._last < MIN_INTERVAL_S:
            return
        self._last = now
        report = {"job": self.job.pk, "status": status, "done": self.done, "total": self.total, "text": text[:300]}
        for listener in LISTENERS:
            listener(self.job, report)


def notify(run: TaskRun) -> None:
    """Tell the listeners how an attempt ended when the task itself could not (it raised, or its
    worker died): "等待重试" with the attempt, or "已尝试 N 次仍失败"."""
    report = {"job": run.pk, "status": run.status, "done": run.progress_done, "total": run.progress_total,
              "text": run.outcome_text, "attempts": run.attempts, "max_attempts": run.max_attempts}
    for listener in LISTENERS:
        listener(run, report)
