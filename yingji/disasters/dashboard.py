"""Home dashboard panel: disaster reports overdue (初报, daily reports, 核报: ``deadlines``)."""

from django.urls import reverse

from yingji.geo import divcodes

from .deadlines import open_events, overdue_for
from .selectors import visible_events


def panel(request):
    events = open_events(visible_events(request.user))
    user = request.user
    overdue = [(e, r) for e, r in overdue_for(list(events[:50]))
               if divcodes.is_within(r.county, user.region_code) or divcodes.is_within(user.region_code, r.county)]
    if not overdue:
        return None
    rows = [(f"{event.title} · {row.label}", reverse("disaster-detail", args=[event.pk]), "已超时")
            for event, row in overdue[:6]]
    return {"title": "灾情报告超时", "count": len(overdue), "url": reverse("disaster-index"), "rows": rows}
