"""Home dashboard panel: warnings in force within the user's scope."""

from django.urls import reverse

from yingji.core import scope

from .selectors import active_warnings


def panel(request):
    qs = scope.visible(active_warnings(), request.user)
    rows = [(w.title, reverse("warnings:detail", args=[w.pk]), w.get_level_display()) for w in qs[:6]]
    return {"title": "生效中的预警", "count": qs.count(), "url": reverse("warnings:list"), "rows": rows}
