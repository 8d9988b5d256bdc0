"""The 值班台 hook: disaster reporting deadlines still to do in the user's area, shown with the
incidents' deadlines (same countdown and overdue mark)."""

from __future__ import annotations

from django.urls import reverse

from yingji.regions.services import name_of

from .deadlines import open_events, open_rows
from .selectors import visible_events


def deadlines(user) -> list[dict]:
    if not user.can("disasters.file_report") and not user.can("incidents.report"):
        return []
    events = list(open_events(visible_events(user))[:30])
    return [{"title": row.event.title, "url": reverse("disaster-detail", args=[row.event.pk]),
             "unit": name_of(row.division), "label": row.deadline.label, "due_at": row.due,
             "source": f"{row.text}；{row.deadline.source}", "is_synthetic": row.event.is_synthetic}
            for row in open_rows(events, user)[:30]]
