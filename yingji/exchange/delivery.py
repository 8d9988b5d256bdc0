"""The background work of the exchange as a background task (``jobs.services``): one delivery round
per run of ``deliver``."""

from __future__ import annotations

from yingji.jobs.services import task

from . import services
from .models import ParentLink


@task("向上级平台报送", max_attempts=1)  # the link keeps its own back-off (next_attempt_at); the periodic tick retries
def deliver(payload: dict) -> None:
    """One round; a failure is recorded on the link (with its back-off) and on the run."""
    link = ParentLink.objects.filter(pk=payload.get("link"), active=True).first()
    if link is not None:
        services.sync(link)
