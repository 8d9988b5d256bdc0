"""Template side of the capability and scope checks (built in, see settings
``TEMPLATES.OPTIONS.builtins``): ``{% if user|can:"warnings.sign" %}``, and
``{% if record|visible_to:user %}`` before linking a record the user may not open (another
bureau's plan, an enterprise user's exam record): the detail page asks the same check."""

from __future__ import annotations

from django import template

from yingji.core import capabilities, scope

register = template.Library()


@register.filter(name="can")
def can(user, capability: str) -> bool:
    return capabilities.has(user, capability)


@register.filter(name="visible_to")
def visible_to(record, user) -> bool:
    return record is not None and scope.is_visible(record, user)
