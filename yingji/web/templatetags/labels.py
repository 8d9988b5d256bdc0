"""Names instead of identifiers, for every template (built in, see settings
``TEMPLATES.OPTIONS.builtins``): ``{{ e|actor }}`` the person behind an audit entry (login name
on hover), ``{{ e.model|model_name }}``, ``{{ e|changed_field_names }}``, ``{{ code|division }}``
(the division's name, its code on hover), ``{{ r|number }}`` (157.5, not 157.500000), ``{{ t|when }}``
(every date and time the console shows, in one form: 2026-07-15 09:05, Asia/Shanghai, 24 h). The look-ups live in ``yingji.core.labels`` and
``yingji.regions.services``."""

from __future__ import annotations

import datetime as dt

from django import template
from django.apps import apps
from django.utils import timezone
from django.utils.html import format_html

from yingji.core import labels
from yingji.core.registry import format_number
from yingji.regions.services import full_name

register = template.Library()


@register.filter
def actor(entry) -> str:
    """The name of the person who made an audit entry, with the login name on hover."""
    user = getattr(entry, "actor", None)
    if user is None:
        return entry.actor_name or "系统"
    return format_html('<span title="{}">{}</span>', user.get_username(), user.display_name())


@register.filter
def model_name(label: str) -> str:
    name = labels.model_name(label)
    return format_html('<span title="{}">{}</span>', label, name) if name != label else label


@register.filter
def audit_changes(entry) -> list[tuple[str, str, str, bool]]:
    """``{% for name, before, after, structured in e|audit_changes %}``: what an audit entry changed,
    field by field, in words (``yingji.core.labels.audit_changes``)."""
    return labels.audit_changes(entry)


@register.filter
def changed_field_names(entry) -> str:
    return "、".join(labels.field_name(entry.model, name) for name in entry.changed_fields or [])


@register.filter
def choice_label(value, field: str) -> str:
    """``{{ key|choice_label:"warnings.Delivery.channel" }}``: a value of a field with choices
    as its Chinese label (the value itself if the field does not know it)."""
    model_label, _, name = field.rpartition(".")
    return labels.choice_label(apps.get_model(model_label), name, value)


WHEN_FORMAT = "%Y-%m-%d %H:%M"


@register.filter
def when(value) -> str:
    """``{{ t|when }}``: a date and time as the console always shows one — local time
    (Asia/Shanghai), 24 hours, to the minute: ``2026-07-15 09:05``; a date alone as
    ``2026-07-15``; nothing → "" (so ``|default:"—"`` works). The API keeps ISO 8601, and an
    ISO 8601 text (a record received from another installation) reads the same way."""
    if value in (None, ""):
        return ""
    if isinstance(value, str) and len(value) > 10 and value[4:5] == "-" and value[10:11] == "T":
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime(WHEN_FORMAT)
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


@register.filter
def number(value, places: int = 3) -> str:
    """``{{ r|number }}``: a number as a bureau writes it (157.5, not 157.500000); empty → —."""
    if value in (None, ""):
        return "—"
    return format_number(value, int(places))


@register.filter
def division(code: str) -> str:
    """A division code as its name (阜新市彰武县), the code on hover."""
    if not code:
        return ""
    return format_html('<span title="{}">{}</span>', code, full_name(code))
