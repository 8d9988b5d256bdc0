"""Upgrading from the home-made job queue (jobs 0002) to Django's Tasks interface (jobs 0003): what
was queued is run by the new worker when due, finished work keeps its page, and a job no task knows
is failed with its reason — nothing is silently dropped (issue 20)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from yingji.jobs import services
from yingji.jobs.models import TaskRun

BEFORE = [("jobs", "0002_job_progress")]


# SQLite cannot change its schema inside the test's transaction; PostgreSQL can (and a flush after a
# transactional test there would hit the audit log's append-only triggers).
@pytest.mark.django_db(transaction=not os.environ.get("DATABASE_URL", "").startswith("postgres"))
def test_jobs_of_the_old_queue_are_handed_to_the_tasks_backend():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    Job = executor.loader.project_state(BEFORE).apps.get_model("jobs", "Job")
    due_at = timezone.now() + dt.timedelta(hours=1)
    finished = Job.objects.create(kind="core.export", status="done", payload={"user": 1, "format": "csv"},
                                  progress_text="导出完成：共 30 条", result={"filename": "a.csv"})
    waiting = Job.objects.create(kind="incidents.check_deadlines", payload={"deadline": 0}, run_at=due_at)
    unknown = Job.objects.create(kind="gone.kind", payload={})

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    run = TaskRun.objects.get(pk=finished.pk)  # same id: its export page and file keep working
    assert (run.status, run.task_path, run.progress_text, run.result) == (
        "done", "yingji.core.exports.run_export_job", "导出完成：共 30 条", {"filename": "a.csv"})
    assert TaskRun.objects.get(pk=unknown.pk).status == "failed"
    assert "升级时没有对应的后台任务" in TaskRun.objects.get(pk=unknown.pk).last_error
    run = TaskRun.objects.get(pk=waiting.pk)
    task = DBTaskResult.objects.get(id=run.task_result_id)
    assert (run.status, task.status, task.args_kwargs["args"], task.run_after) == ("queued", "READY", [run.pk], due_at)
    assert services.run_pending() == 0  # not before its time
    DBTaskResult.objects.filter(id=run.task_result_id).update(run_after=timezone.now())
    assert services.run_pending() == 1
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 1)
