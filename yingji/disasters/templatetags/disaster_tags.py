"""Template filters of the disaster pages: a division's Chinese name, an indicator's label."""

from django import template

from ..models import FIGURE_LABELS
from ..selectors import place_name

register = template.Library()


@register.filter
def division_name(code: str) -> str:
    return place_name(code) if code else ""


@register.filter
def figure_label(field: str) -> str:
    return FIGURE_LABELS.get(field, field)


TARGET_STATES = {"met": "按时", "late": "超时", "overdue": "已超时", "running": "计时中"}


@register.filter
def target_state(state: str) -> str:
    return TARGET_STATES.get(state, "")
