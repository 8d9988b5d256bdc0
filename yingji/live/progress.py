"""Progress of long operations that run on the job queue (bulk targeting of a warning, large
exports), shown live on the console.

A job handler reports between its steps::

    tracker = Tracker(current_job(), total=len(steps))
    for step in steps:
        ...
        tracker.advance(text="已生成 12,000 条投递")
    tracker.finish(text="共 1,200,000 条，用时 4.2 秒")

Each report updates the job row (``progress_done / progress_total / progress_text``) and publishes
a live event on the ``progress`` channel (``{"job", "status", "done", "total", "text"}``) under the
job's division, so a page shows a progress bar that moves without polling; the status URL
(``live-progress``) answers the same for a page that opens mid-way or has no live stream.

Reports must be made outside the operation's transaction (each step commits on its own): on SQLite
a second writer waits for an open transaction. Spreadsheet imports, which run in ONE transaction,
report through ``core.batches`` instead (a file), and their page polls that status the same way.
"""

from __future__ import annotations

import time

from yingji.core.errors import NotFound
from yingji.jobs.models import Job

from .services import publish, visible_to

CHANNEL = "progress"
MIN_INTERVAL_S = 0.25  # at most four live events a second per operation (the last one always goes)


def status_of(job: Job) -> dict:
    return {"job": job.pk, "status": job.status, "status_label": job.get_status_display(), "done": job.progress_done,
            "total": job.progress_total, "text": job.progress_text, "result": job.result}


def job_for(user, job_id: int) -> Job:
    """A job the user may watch: one filed under a division within their scope."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not (job.division_code and visible_to(job, user.scope_prefix)):
        raise NotFound("后台任务不存在")
    return job


class Tracker:
    """Reports the progress of the running job (does nothing when there is none, e.g. when the
    same operation runs inside a request)."""

    def __init__(self, job: Job | None, total: int, text: str = ""):
        self.job, self.total, self.done = job, max(total, 0), 0
        self._last = 0.0
        self._report(text, force=True)

    def advance(self, steps: int = 1, text: str = "") -> None:
        self.done = min(self.done + steps, self.total)
        self._report(text)

    def finish(self, text: str = "", result: dict | None = None) -> None:
        self.done = self.total
        self._report(text, force=True, result=result, status="done")

    def fail(self, text: str) -> None:
        self._report(text, force=True, status="failed")

    def _report(self, text: str, *, force: bool = False, result: dict | None = None, status: str = "running") -> None:
        if self.job is None:
            return
        now = time.monotonic()
        fields = {"progress_done": self.done, "progress_total": self.total, "progress_text": text[:300]}
        if result is not None:
            fields["result"] = result
        Job.objects.filter(pk=self.job.pk).update(**fields)
        if not force and now - self._last < MIN_INTERVAL_S:
            return
        self._last = now
        publish(CHANNEL, status, {"job": self.job.pk, "status": status, "done": self.done, "total": self.total,
                                  "text": text[:300]}, self.job.division_code)
