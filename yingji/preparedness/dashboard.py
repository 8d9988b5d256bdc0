"""Home dashboard panel: overdue plan filings and evaluations, overdue drill quotas, certificates
expiring within 60 days, open revision tasks past their deadline."""

from django.urls import reverse
from django.utils import timezone

from . import selectors, training_selectors


def panel(request):
    user = request.user
    today = timezone.localdate()
    rows = []
    for plan in selectors.visible_plans(user).filter(state__in=("published", "filed"))[:300]:
        filing, evaluation = selectors.filing(plan), selectors.evaluation(plan, today)
        if filing.state == "overdue":
            rows.append((f"{plan.name}：备案已逾期", reverse("plan-detail", args=[plan.pk]), "逾期"))
        if evaluation.state == "overdue":
            rows.append((f"{plan.name}：3年评估已逾期", reverse("plan-detail", args=[plan.pk]), "逾期"))
    overdue_drills = [r for r in selectors.board(user, today) if r["state"] == "overdue"]
    if overdue_drills:
        rows.append((f"演练频次未达标 {len(overdue_drills)} 项", reverse("drill-board") + "?state=overdue", "逾期"))
    expiring = training_selectors.certificates(user, today, only_attention=True)
    if expiring:
        rows.append((f"证书到期或待复审 {len(expiring)} 本", reverse("training-index"), "提醒"))
    if not rows:
        return None
    return {"title": "预案演练培训", "count": len(rows), "url": reverse("plan-index"), "rows": rows[:8]}
