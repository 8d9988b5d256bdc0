"""Home dashboard panel: open monitoring alarms in the user's scope, most severe first."""

from django.urls import reverse

from yingji.core import scope

from .models import Alarm


def panel(request):
    qs = scope.visible(Alarm.objects.filter(is_open=True), request.user).order_by("level", "-raised_at")
    rows = [(str(a), reverse("monitoring-alarm", args=[a.pk]), f"{a.get_level_display()} · {a.get_state_display()}")
            for a in qs.select_related("sensor")[:6]]
    return {"title": "未关闭监测报警", "count": qs.count(), "url": reverse("monitoring-alarms"), "rows": rows}
