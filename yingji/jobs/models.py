from django.db import models
from django.utils import timezone


class Job(models.Model):
    """A unit of background work on the database queue (embedded default; the same rows can be
    worked by several ``yingji worker`` processes)."""

    STATUSES = [("queued", "排队"), ("running", "执行中"), ("done", "完成"), ("failed", "失败"), ("cancelled", "已取消")]

    kind = models.CharField(max_length=60, db_index=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=STATUSES, default="queued")
    run_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    locked_by = models.CharField(max_length=60, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
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
        indexes = [models.Index(fields=["status", "run_at"])]
