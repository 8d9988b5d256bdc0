"""Reads other apps need about an enterprise's hazards (grading for supervision, credit)."""

from __future__ import annotations

from django.db.models import Count, Q

from yingji.rules import hidden_hazard as loop

from .models import HazardSource, HiddenHazard


def overdue(queryset, today):
    """The hidden hazards of ``queryset`` that are overdue on ``today``, filtered by the database:
    the same as ``HiddenHazard.is_overdue`` (the rule ``hidden_hazard.is_overdue``) for a date
    deadline — past it, and neither closed nor waiting for the supervisor — without reading every
    hazard whose deadline has passed (a province's closed ones are most of them)."""
    return queryset.filter(deadline__lt=today).exclude(state__in=loop.TERMINAL_STATES | loop.AWAITING_SUPERVISOR)


def enterprise_risk_facts(enterprise_ids: list[int]) -> dict[int, dict]:
    """Per enterprise: the highest grade of its major hazard sources (1 = 一级, None without one)
    and its open major hidden hazards."""
    facts: dict[int, dict] = {pk: {"major_grade": None, "open_major_hazards": 0} for pk in enterprise_ids}
    majors = HazardSource.objects.filter(enterprise_id__in=enterprise_ids, is_major_hazard=True,
                                         current_grade__isnull=False)
    for pk, grade in majors.values_list("enterprise_id", "current_grade"):
        current = facts[pk]["major_grade"]
        facts[pk]["major_grade"] = grade if current is None else min(current, grade)
    open_major = (HiddenHazard.objects.filter(enterprise_id__in=enterprise_ids, grade=loop.GRADE_MAJOR)
                  .exclude(state__in=loop.TERMINAL_STATES).values("enterprise_id").annotate(n=Count("pk")))
    for row in open_major:
        facts[row["enterprise_id"]]["open_major_hazards"] = row["n"]
    return facts


def closure_rate(division_prefix: str, year: int) -> tuple[int, int]:
    """(closed, due) hidden hazards of an area whose deadline fell in ``year``: the closure rate
    the annual assessment reads."""
    due = HiddenHazard.objects.filter(division_code__startswith=division_prefix, deadline__year=year)
    closed = due.filter(Q(state="closed"))
    return closed.count(), due.count()
