"""Home dashboard panel: overdue hidden hazards in the user's scope."""

from django.urls import reverse
from django.utils import timezone

from yingji.core import scope

from .models import HiddenHazard


def panel(request):
    qs = scope.visible(HiddenHazard.objects.select_related("enterprise"), request.user)
    overdue = [h for h in qs.exclude(state__in=["closed", "rejected"]).filter(deadline__lt=timezone.localdate())
               if h.is_overdue()]
    rows = [(f"{h.enterprise.name}：{h.title}", reverse("hazards:hidden-detail", args=[h.pk]), h.get_grade_display())
            for h in overdue[:6]]
    return {"title": "逾期未整改隐患", "count": len(overdue), "url": reverse("hazards:hidden-list"), "rows": rows}
