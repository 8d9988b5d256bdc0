import datetime as dt

from django.db import models

LEASE = dt.timedelta(minutes=5)  # an attempt not heard of for this long lost its worker (jobs.services.reap)


class TaskRun(models.Model):
    """What the console shows of one background operation run through Django's Tasks interface
    (``django_tasks``): whose it is, its progress, its attempts and how it ended.

    The queue itself — claiming, ordering, delays, the worker — is the Tasks backend's (the
    database backend ``django_tasks_db`` by default, RQ on Redis when configured). A run keeps its
    id across retries: each attempt is one task result of the backend (``task_result_id`` is the
    latest), so a page that follows a run follows it to the end."""

    STATUSES = [("queued", "排队"), ("running", "执行中"), ("retrying", "等待重试"), ("done", "完成"),
                ("failed", "失败"), ("cancelled", "已取消")]

    task_path = models.CharField(max_length=200, db_index=True)  # the @task function, e.g. yingji.core.exports.run_export
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=STATUSES, default="queued")
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    task_result_id = models.CharField(max_length=64, blank=True, db_index=True)
    worker = models.CharField(max_length=100, blank=True)
    # The lease of the attempt that runs: renewed while it runs; a run whose lease ran out lost its
    # worker (process killed, machine down) and is retried or marked failed (``services.reap``).
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Progress of a long operation (written between its steps, see live.progress) and whose it is:
    # the division scopes who may watch it.
    division_code = models.CharField(max_length=12, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_text = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "lease_until"])]

    @property
    def is_last_attempt(self) -> bool:
        return self.attempts >= self.max_attempts

    @property
    def outcome_text(self) -> str:
        """How it ended, for the console (Chinese; never the traceback). A lost worker (lease run
        out, ``jobs.services.reap``) is said as such."""
        lost = self.last_error.startswith("执行进程中断")
        if self.status == "failed":
            text = f"已尝试 {self.attempts} 次仍失败" if self.attempts > 1 else "执行失败"
            return text + ("（执行进程中断）" if lost else "")
        if self.status == "retrying":
            what = "执行进程中断" if lost else "执行失败"
            return f"第 {self.attempts} 次{what}，等待自动重试（最多 {self.max_attempts} 次）"
        return self.get_status_display()
