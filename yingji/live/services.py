"""Publishing and tailing live events."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .models import LiveEvent

POLL_SECONDS = 0.15
KEEP = dt.timedelta(hours=24)


def publish(channel: str, kind: str, data: dict, division_code: str = "") -> None:
    """Append an event once the surrounding transaction commits (immediately if none)."""

    def write():
        LiveEvent.objects.create(channel=channel, kind=kind, data=data, division_code=division_code or "")

    transaction.on_commit(write)


def latest_id() -> int:
    row = LiveEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return row or 0


def events_after(last_id: int, limit: int = 500) -> list[LiveEvent]:
    return list(LiveEvent.objects.filter(id__gt=last_id).order_by("id")[:limit])


def prune(now=None) -> int:
    now = now or timezone.now()
    deleted, _ = LiveEvent.objects.filter(at__lt=now - KEEP).delete()
    return deleted


def visible_to(event: LiveEvent, scope_prefix: str) -> bool:
    """Events without a division are for everyone; others only within the user's scope.
    An escalation upward is published under the receiving division's code."""
    return not event.division_code or event.division_code.startswith(scope_prefix)
