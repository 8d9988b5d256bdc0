"""What staff read in place of internal identifiers: model labels, field names, people.

Enumerated values carry their Chinese label where they are declared (model ``choices``, the
state machines' tables, the label dicts of ``yingji.rules``); this module turns the
identifiers the audit log and other generic records keep (``disasters.LossReport``, field
names, login names) into those names. Templates use it through the built-in filters of
``yingji.core.templatetags.labels``.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone


def model_name(label: str) -> str:
    """``disasters.LossReport`` → 灾情报告; an audit label that is not a model (an app's
    statistics export) → the app's name; unknown → the label."""
    app_label, _, model = (label or "").partition(".")
    try:
        return str(apps.get_model(app_label, model)._meta.verbose_name)
    except (LookupError, ValueError):
        pass
    try:
        return str(apps.get_app_config(app_label).verbose_name)
    except LookupError:
        return label


def field_name(model_label: str, name: str) -> str:
    """A field's verbose name (``state`` of ``warnings.Warning`` → 状态)."""
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        return name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return {"version": "版本"}.get(name, name)
    if field.auto_created and not field.concrete:  # a reverse relation in a structure snapshot (a plan's versions)
        return str(field.related_model._meta.verbose_name)
    return str(field.verbose_name)


def choice_label(model, field: str, value) -> str:
    """The Chinese label of one value of a field with choices (the value itself if unknown)."""
    for key, label in model._meta.get_field(field).flatchoices:
        if key == value:
            return str(label)
    return "" if value is None else str(value)


DECIMAL = re.compile(r"^-?\d+\.\d+$")  # a decimal field as the snapshot stores it ("0.0000")
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$")


def audit_value(model_label: str, name: str, value) -> str:
    """One value of an audit snapshot as staff read it: a choice's label, 是/否, a local time to
    the minute, the related record's name for a foreign key, a list joined with 、. Structured
    values (JSON objects) stay as stored: the audit trail shows exactly what was written."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    field = _field(model_label, name)
    if field is not None and field.choices:
        return choice_label(field.model, field.name, value)
    if field is not None and field.is_relation and field.many_to_one and not isinstance(value, (list, dict)):
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"（已删除的记录 {value}）"
    if isinstance(value, str) and ISO_TIME.match(value):
        try:
            moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return "、".join(str(v) for v in value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) or isinstance(value, str) and DECIMAL.match(value):
        text = f"{Decimal(str(value)).quantize(Decimal('0.001')):f}".rstrip("0").rstrip(".")  # 157.5, not 157.5000
        return "0" if text in ("-0", "") else text
    return str(value)


def audit_changes(entry) -> list[tuple[str, str, str, bool]]:
    """(field name, before, after, structured) for each field an audit entry changed (for a
    deletion: every field the record had). ``structured`` marks a JSON value shown as stored."""
    before, after = entry.before or {}, entry.after or {}
    names = entry.changed_fields or (list(before) if entry.action == "delete" else [])
    rows = []
    for name in names:
        if name in ("id", "version") and entry.action == "delete":
            continue
        old, new = before.get(name), after.get(name)
        rows.append((field_name(entry.model, name), audit_value(entry.model, name, old),
                     audit_value(entry.model, name, new) if entry.action != "delete" else "",
                     isinstance(old, dict) or isinstance(new, dict)))
    return rows


def _field(model_label: str, name: str):
    """The model's own (concrete) field of that name; None for a reverse relation in a structure
    snapshot (a plan's opinions) or an unknown name."""
    try:
        field = apps.get_model(model_label)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None
    return field if getattr(field, "concrete", False) else None
