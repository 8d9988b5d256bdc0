"""Progress of long operations on the console: the live side of ``jobs.progress``.

Every report of a ``jobs.progress.Tracker`` becomes a live event on the ``progress`` channel
(``{"job", "status", "done", "total", "text"}``) under the job's division, so a page's bar
(``live/_progress.html`` + ``live/progress.js``) moves without polling; ``/live/progress/<job>``
answers the same for a page opened mid-way or without a live stream (scope-checked). Spreadsheet
imports, which run in ONE transaction, report through ``core.batches`` (a file) and the same bar
polls their status URL.
"""

from __future__ import annotations

from yingji.core.errors import NotFound
from yingji.jobs.models import TaskRun

from .services import publish, visible_to

CHANNEL = "progress"


def push(job: TaskRun, report: dict) -> None:
    """``jobs.progress`` listener (registered in ``LiveConfig.ready``)."""
    publish(CHANNEL, report["status"], report, job.division_code)


def status_of(job: TaskRun) -> dict:
    return {"job": job.pk, "status": job.status, "status_label": job.get_status_display(), "done": job.progress_done,
            "total": job.progress_total, "text": job.progress_text, "result": job.result,
            "attempts": job.attempts, "max_attempts": job.max_attempts, "outcome": job.outcome_text}


def job_for(user, job_id: int) -> TaskRun:
    """A run the user may watch: one filed under a division within their scope."""
    job = TaskRun.objects.filter(pk=job_id).first()
    if job is None or not (job.division_code and visible_to(job, user.scope_prefix)):
        raise NotFound("后台任务不存在")
    return job
