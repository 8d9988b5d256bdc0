from django.db import models


class LiveEvent(models.Model):
    """An event pushed to browsers over SSE. The table is the cross-process bus: any
    process (web, ingest worker, job worker) appends; every web process tails it."""

    channel = models.CharField(max_length=40, db_index=True)
    kind = models.CharField(max_length=40)
    division_code = models.CharField(max_length=12, blank=True, db_index=True)
    data = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
