"""Home dashboard panel: overdue hidden hazards in the user's scope."""

from django.urls import reverse
from django.utils import timezone

from yingji.core import scope

from .models import HiddenHazard
from .selectors import overdue


def panel(request):
    # Counted and the first six read by the database: a city's or province's overdue hazards
    # can be thousands, and the panel is on every visit of the home page.
    qs = overdue(scope.visible(HiddenHazard.objects.select_related("enterprise"), request.user), timezone.localdate())
    rows = [(f"{h.enterprise.name}：{h.title}", reverse("hazards:hidden-detail", args=[h.pk]), h.get_grade_display())
            for h in qs[:6]]
    return {"title": "逾期未整改隐患", "count": qs.count(), "url": reverse("hazards:hidden-list"), "rows": rows}
