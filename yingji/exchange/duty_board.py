"""The 值班台 hook: the reporting deadlines of incidents the child installations reported, as the
child counted them and still open, beside the parent's own (same countdown and overdue mark)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.dateparse import parse_datetime

from .selectors import received_queryset


def deadlines(user) -> list[dict]:
    if not user.can("exchange.view"):
        return []
    rows = []
    for record in received_queryset(user, "incident").filter(direction="up", deleted=False)[:50]:
        if record.body.get("state") == "closed":
            continue
        for deadline in record.body.get("deadlines", []):
            due = parse_datetime(deadline.get("due_at") or "")
            if deadline.get("status") != "pending" or due is None:
                continue
            rows.append({"title": record.title, "url": reverse("exchange:record", args=[record.pk]),
                         "unit": deadline.get("unit", ""), "label": deadline.get("label", ""), "due_at": due,
                         "source": f"下级平台报送（{record.child.name if record.child_id else '下级平台'}计算）",
                         "is_synthetic": record.is_synthetic})
    return rows[:30]
