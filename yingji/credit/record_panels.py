"""The credit status on an enterprise's page (the enterprise sees its own)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from . import selectors


def panels(request, key: str, obj) -> list[dict]:
    if key != "enterprises":
        return []
    status = selectors.status_of(obj)
    lines = [status["label"] + (f"（{status['listing'].decision_number}，{status['listing'].expires_on:%Y-%m-%d} 期满）"
                                if status["listing"] else "")]
    lines += [f"{r['day']:%Y-%m-%d} {r['kind']}：{r['text']}" for r in selectors.profile(obj)[:5] if r["day"]]
    return [{"title": "安全生产信用", "lines": lines, "url": reverse("credit:index") + "?" + urlencode({"q": obj.uscc}),
             "link": "查看信用记录"}]
