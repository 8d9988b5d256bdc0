"""Home dashboard panel: disaster reports overdue (初报 within 2 h, 核报 after stabilisation)."""

from django.db.models import Q
from django.urls import reverse

from yingji.geo import divcodes
from yingji.regions.services import name_of
from yingji.rules.disaster_reports import STAGES

from .deadlines import overdue_for
from .selectors import visible_events


def panel(request):
    events = visible_events(request.user).filter(Q(end_at__isnull=True) | Q(stabilised_at__isnull=False))
    user = request.user
    overdue = [(e, r) for e, r in overdue_for(list(events[:50]))
               if divcodes.is_within(r.county, user.region_code) or divcodes.is_within(user.region_code, r.county)]
    if not overdue:
        return None
    rows = [(f"{event.title} · {name_of(row.county)}{STAGES[row.stage]}", reverse("disaster-detail", args=[event.pk]),
             "已超时") for event, row in overdue[:6]]
    return {"title": "灾情报告超时", "count": len(overdue), "url": reverse("disaster-index"), "rows": rows}
