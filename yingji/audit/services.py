"""Writing audit entries: one function, called by every service that changes a record."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

from django.db import models

from yingji.audit.context import client_address

from .models import AuditEntry


def _json_value(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "url"):  # file fields
        return value.name or None
    return value


def snapshot(obj: models.Model) -> dict:
    """A JSON-safe dict of the record's concrete field values."""
    data = {}
    for field in obj._meta.concrete_fields:
        data[field.attname] = _json_value(getattr(obj, field.attname))
    return data


def changed(before: dict | None, after: dict | None) -> list[str]:
    before, after = before or {}, after or {}
    ignore = {"updated_at", "version"}
    return sorted(k for k in set(before) | set(after) if k not in ignore and before.get(k) != after.get(k))


def record(actor, action: str, obj: models.Model | None = None, *, before: dict | None = None,
           after: dict | None = None, note: str = "", model_label: str = "", address: str | None = None,
           division_code: str = "") -> AuditEntry:
    """Append one audit entry. ``actor`` is a user (or None for the system)."""
    label = model_label or (obj._meta.label if obj is not None else "")
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(actor.get_username() if getattr(actor, "pk", None) else "系统"),
        address=client_address() if address is None else address,
        action=action,
        model=label,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        division_code=division_code or (getattr(obj, "division_code", "") or ""),
        before=before,
        after=after,
        changed_fields=changed(before, after) if action == "update" else [],
        note=note[:300],
    )


def history_of(obj: models.Model):
    return AuditEntry.objects.filter(model=obj._meta.label, object_id=str(obj.pk)).order_by("-at", "-id")
