"""Template side of the capability check: ``{% if user|can:"warnings.sign" %}`` (built in,
see settings ``TEMPLATES.OPTIONS.builtins``), or ``{% load capabilities %}`` where needed."""

from __future__ import annotations

from django import template

from yingji.core import capabilities

register = template.Library()


@register.filter(name="can")
def can(user, capability: str) -> bool:
    return capabilities.has(user, capability)
