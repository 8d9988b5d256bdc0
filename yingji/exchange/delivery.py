"""The background work of the exchange on the job queue (``jobs.services``): one delivery round
per ``exchange.sync`` job."""

from __future__ import annotations

from yingji.jobs.services import handler

from . import services
from .models import ParentLink
from .outbox import SYNC_JOB


@handler(SYNC_JOB)
def deliver(payload: dict) -> None:
    """One round; a failure is recorded on the link (with its back-off) and on the job."""
    link = ParentLink.objects.filter(pk=payload.get("link"), active=True).first()
    if link is not None:
        services.sync(link)
