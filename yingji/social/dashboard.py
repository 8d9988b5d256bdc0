"""Home dashboard panel: reports from the public waiting in the duty room's queue."""

from django.urls import reverse
from django.utils import timezone

from .selectors import report_queue


def panel(request):
    if not request.user.can("social.reports.handle"):
        return None
    waiting = report_queue(request.user, "new")
    count = waiting.count()
    if not count:
        return None
    rows = [(f"{r.get_kind_display()}：{r.description[:30]}", reverse("social-queue"), timezone.localtime(r.received_at).strftime("%m-%d %H:%M"))
            for r in waiting[:6]]
    return {"title": "群众报告待处理", "count": count, "url": reverse("social-queue"), "rows": rows}
