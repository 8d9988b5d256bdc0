"""The outbox: a write of an exchangeable record adds a message in the write's own transaction
(``core.records.on_write``), one per link it goes to; sealing fixes the message body (serialised
once, then sent unchanged on every retry); the pending queue is what has not been acknowledged."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from yingji.core import records
from yingji.geo import divcodes
from yingji.jobs.services import enqueue

from .kinds import DOWN, KINDS, UP, ExchangeKind, kinds_for, record_model, routes_to
from .models import ChildLink, OutboxMessage, ParentLink
from .signing import PROTOCOL

SYNC_TASK = "yingji.exchange.delivery.deliver"  # by path: delivery imports the services that import us
_APPLYING: ContextVar[bool] = ContextVar("yingji_exchange_applying", default=False)


@contextmanager
def applying() -> Iterator[None]:
    """Writes made while applying a received message are not sent on (no echo back)."""
    token = _APPLYING.set(True)
    try:
        yield
    finally:
        _APPLYING.reset(token)


def active_parent() -> ParentLink | None:
    # a bulk write asks once, not once per row
    return records.batch_cached("exchange.parent", lambda: ParentLink.objects.filter(active=True).order_by("pk").first())


def active_children() -> list[ChildLink]:
    return records.batch_cached("exchange.children", lambda: list(ChildLink.objects.filter(active=True)))


def parent_origin(child: ChildLink) -> str:
    """The division a parent speaks for towards ``child`` (the city of a county)."""
    return divcodes.parent_code(child.division_code) or child.division_code


def on_write(actor, obj, action: str) -> None:
    """``core.records`` listener: put every exchangeable record just written in the outbox."""
    if _APPLYING.get():
        return
    for kind, record in kinds_for(obj):
        deleted = action == "delete" and record is obj
        if not deleted and not kind.when(record):
            continue
        if UP in kind.directions:
            parent = active_parent()
            if parent is not None and divcodes.is_within(record.division_code, parent.division_code):
                _add(kind, record, UP, None, parent.division_code, deleted)
                transaction.on_commit(lambda: request_sync(), robust=True)
        if DOWN in kind.directions:
            for child in active_children():
                if routes_to(kind, record, child.division_code):
                    _add(kind, record, DOWN, child, parent_origin(child), deleted)


def _add(kind: ExchangeKind, record, direction: str, child: ChildLink | None, origin: str, deleted: bool) -> None:
    key = f"{origin}/{kind.key}/{record.pk}"
    rows = OutboxMessage.objects.select_for_update().filter(direction=direction, child=child, record_key=key)
    waiting = rows.filter(sealed_at__isnull=True).first()
    if waiting is not None:  # not yet sealed: it will carry the latest state anyway
        if deleted and not waiting.deleted:
            waiting.deleted = True
            waiting.save(update_fields=["deleted"])
        return
    seq = (rows.aggregate(top=Max("seq"))["top"] or 0) + 1
    OutboxMessage.objects.create(direction=direction, child=child, kind=kind.key, record_key=key,
                                 record_id=str(record.pk), origin_code=origin, seq=seq, deleted=deleted,
                                 title=kind.title(record)[:200], division_code=record.division_code)


def request_sync() -> None:
    """Queue a delivery now unless the link is backing off after failures (the periodic tick
    retries it when its time comes)."""
    parent = active_parent()
    if parent is not None and parent.next_attempt_at <= timezone.now():
        enqueue(SYNC_TASK, {"link": parent.pk}, max_attempts=1, division_code=parent.division_code)


def pending(direction: str, child: ChildLink | None = None):
    qs = OutboxMessage.objects.filter(direction=direction, sent_at__isnull=True)
    return qs.filter(child=child) if direction == DOWN else qs


def seal(rows: list[OutboxMessage]) -> list[dict]:
    """The messages of ``rows`` (in order), sealing those not yet sealed: the body is the
    record's state now, kept unchanged for every later retry or export."""
    now = timezone.now()
    out = []
    for row in rows:
        if row.sealed_at is None:
            kind = KINDS[row.kind]
            record = None if row.deleted else record_model(row.kind)._base_manager.filter(pk=row.record_id).first()
            row.deleted = record is None
            row.body = {} if record is None else kind.serialize(record)
            if record is not None:
                row.title = kind.title(record)[:200]
            row.sealed_at = now
            OutboxMessage.objects.filter(pk=row.pk).update(body=row.body, title=row.title, deleted=row.deleted,
                                                           sealed_at=now)
        out.append(message_of(row))
    return out


def message_of(row: OutboxMessage) -> dict:
    return {"id": str(row.message_id), "kind": row.kind, "schema": KINDS[row.kind].schema, "record": row.record_key,
            "seq": row.seq, "origin": row.origin_code, "division_code": row.division_code, "title": row.title,
            "created_at": row.created_at.isoformat(), "deleted": row.deleted, "body": row.body or {}}


def batch(direction: str, key_id: str, sender: str, messages: list[dict], *, pending_after: int = 0,
          acks: list[str] | None = None, accepted: list[str] | None = None) -> dict:
    return {"protocol": PROTOCOL, "direction": direction, "key_id": key_id, "sender": sender,
            "sent_at": timezone.now().isoformat(), "pending": pending_after, "acks": acks or [],
            "accepted": accepted or [], "messages": messages}


def mark_sent(direction: str, ids: list[str], via: str, child: ChildLink | None = None) -> int:
    qs = pending(direction, child).filter(message_id__in=ids)
    return qs.update(sent_at=timezone.now(), sent_via=via)
