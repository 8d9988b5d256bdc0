"""Home dashboard panel: open incidents in the user's scope, most severe first."""

from django.db.models import F
from django.urls import reverse

from yingji.core import scope

from .models import Incident


def panel(request):
    qs = (scope.visible(Incident.objects.exclude(state="closed"), request.user)
          .order_by(F("grade_level").asc(nulls_last=True), "-received_at"))
    rows = [(f"{i.title}", reverse("incident-detail", args=[i.pk]), i.grade_name or "") for i in qs[:6]]
    return {"title": "未办结突发事件", "count": qs.count(), "url": reverse("incident-console"), "rows": rows}
