"""Supervision of an enterprise on its page: this year's grade, inspections and cases."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from . import selectors


def panels(request, key: str, obj) -> list[dict]:
    if key != "enterprises":
        return []
    user = request.user
    grade = selectors.grades_of(obj).filter(year=timezone.localdate().year).first()
    inspections = selectors.inspections(user, enterprise_id=obj.pk)
    cases = selectors.cases(user, enterprise_id=obj.pk)
    lines = [f"{timezone.localdate().year}年监管等级：{grade.get_grade_display() if grade else '未定级'}",
             f"执法检查 {inspections.count()} 次，其中责令整改 {inspections.filter(order_number__gt='').count()} 次",
             f"执法案件 {cases.count()} 件"]
    lines += [f"{c.number} {c.cause}（{c.get_state_display()}）" for c in cases[:3]]
    return [{"title": "监管执法", "lines": lines, "url": reverse("enforcement:inspections"), "link": "执法检查"}]
