"""Figures of the background tasks for monitoring (``ops.metrics``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min

from .models import TaskRun


def counts_by_status() -> dict[str, int]:
    counts = dict(TaskRun.objects.values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status, 0) for status, _label in TaskRun.STATUSES}


def lag_seconds(now: dt.datetime) -> float:
    """Age of the oldest task that is due and still waiting on the database backend (0: the workers
    keep up; also 0 on another backend, whose queue is watched by its own tools)."""
    from .services import _on_database_backend

    if not _on_database_backend():
        return 0.0
    from django_tasks_db.models import DBTaskResult, get_date_max

    ready = DBTaskResult.objects.ready().filter(backend_name="default")
    undelayed = ready.filter(run_after=get_date_max()).aggregate(m=Min("enqueued_at"))["m"]
    delayed = ready.exclude(run_after=get_date_max()).aggregate(m=Min("run_after"))["m"]
    oldest = min((t for t in (undelayed, delayed) if t is not None), default=None)
    return max((now - oldest).total_seconds(), 0.0) if oldest else 0.0


def runs_within(prefix: str, *, unfiled: bool, status: str = ""):
    """Runs filed under divisions starting with ``prefix`` (newest first); ``unfiled`` adds those
    of the whole installation (no division: deadline checks and the like)."""
    from django.db.models import Q

    where = Q(division_code__startswith=prefix) & ~Q(division_code="")
    if unfiled:
        where |= Q(division_code="")
    runs = TaskRun.objects.filter(where).order_by("-id")
    return runs.filter(status=status) if status else runs


def label_of(run: TaskRun) -> str:
    from .services import LABELS

    return LABELS.get(run.task_path, "后台任务")
