"""Scoped reads of the exchange: the links with their connection state, the pending queue and
the records received, as the dicts the API schemas and the console pages share."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from yingji.core import scope

from . import outbox
from .kinds import DOWN, LABELS, UP
from .models import ChildLink, OutboxMessage, ParentLink, ReceivedRecord

STATE_LABELS = {"ok": "连接正常", "late": "联系中断", "never": "尚未联系", "error": "最近一次失败", "off": "已停用"}


def _silence_limit() -> dt.timedelta:
    """A child that has not called for three poll intervals (at least five minutes) counts as cut off."""
    return dt.timedelta(seconds=max(3 * settings.YINGJI_EXCHANGE_POLL_SECONDS, 300))


def children(user):
    return [child_row(link) for link in scope.visible(ChildLink.objects.all(), user).order_by("division_code", "pk")]


def child_row(link: ChildLink) -> dict:
    if not link.active:
        state = "off"
    elif link.last_contact_at is None:
        state = "never"
    elif link.last_error and (link.last_error_at or link.last_contact_at) >= link.last_contact_at:
        state = "error"
    elif timezone.now() - link.last_contact_at > _silence_limit():
        state = "late"
    else:
        state = "ok"
    return {"id": link.pk, "name": link.name, "division_code": link.division_code, "key_id": link.key_id,
            "active": link.active, "last_contact_at": link.last_contact_at, "child_pending": link.child_pending,
            "parent_pending": outbox.pending(DOWN, link).count(), "received_count": link.received_count,
            "last_error": link.last_error, "last_error_at": link.last_error_at, "state": state,
            "state_label": STATE_LABELS[state]}


def parent_row() -> dict | None:
    link = outbox.active_parent()
    if link is None:
        return None
    if link.failures:
        state = "error"
    elif link.last_contact_at is None:
        state = "never"
    else:
        state = "ok"
    return {"id": link.pk, "name": link.name, "url": link.url, "division_code": link.division_code,
            "active": link.active, "last_contact_at": link.last_contact_at, "last_attempt_at": link.last_attempt_at,
            "next_attempt_at": link.next_attempt_at, "failures": link.failures, "last_error": link.last_error,
            "pending": outbox.pending(UP).count(), "state": state, "state_label": STATE_LABELS[state]}


def queue(user):
    """Messages not yet acknowledged by the other side, oldest first: upward ones of this
    installation and downward ones for the children the user may see."""
    visible_children = scope.visible(ChildLink.objects.all(), user)
    qs = (OutboxMessage.objects.filter(sent_at__isnull=True, direction=UP)
          | OutboxMessage.objects.filter(sent_at__isnull=True, direction=DOWN, child__in=visible_children))
    return [queued_row(row) for row in scope.visible(qs, user).order_by("pk")]


def queued_row(row: OutboxMessage) -> dict:
    return {"id": row.pk, "message_id": str(row.message_id), "direction": row.direction, "kind": row.kind,
            "kind_label": LABELS.get(row.kind, row.kind), "title": row.title or row.record_key,
            "record_key": row.record_key, "seq": row.seq, "created_at": row.created_at, "attempts": row.attempts,
            "last_error": row.last_error, "sent_at": row.sent_at, "sent_via": row.sent_via,
            "child": row.child.name if row.child_id else ""}


def received_queryset(user, kind: str = ""):
    qs = scope.visible(ReceivedRecord.objects.all(), user)
    return qs.filter(kind=kind) if kind else qs


def received_rows(user, kind: str = ""):
    return [received_row(r) for r in received_queryset(user, kind)[:1000]]


def received(user, pk) -> ReceivedRecord:
    return scope.get_visible(ReceivedRecord.objects.all(), pk, user)


def received_row(record: ReceivedRecord, body: bool = False) -> dict:
    row = {"id": record.pk, "direction": record.direction, "kind": record.kind,
           "kind_label": LABELS.get(record.kind, record.kind), "schema_id": record.schema,
           "record_key": record.record_key, "origin_code": record.origin_code, "division_code": record.division_code,
           "seq": record.seq, "title": record.title, "deleted": record.deleted, "received_at": record.received_at}
    if body:
        row["body"] = None if record.deleted else record.body
    return row
