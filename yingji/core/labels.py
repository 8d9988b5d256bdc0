"""What staff read in place of internal identifiers: model labels, field names, people.

Enumerated values carry their Chinese label where they are declared (model ``choices``, the
state machines' tables, the label dicts of ``yingji.rules``); this module turns the
identifiers the audit log and other generic records keep (``disasters.LossReport``, field
names, login names) into those names. Templates use it through the built-in filters of
``yingji.core.templatetags.labels``.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist


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
