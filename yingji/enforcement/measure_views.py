"""Pages of the 简易程序 (当场处罚) and of 查封 / 扣押 / 先行登记保存: lists with their forms, the
record page with its clock, steps and archived documents. Thin: ``measures`` writes,
``selectors`` reads."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yingji.audit.services import history_of
from yingji.core.views import service_post, service_view
from yingji.rules import enforcement as rules
from yingji.rules import enforcement_measures as em

from . import measures as service
from . import selectors
from .models import Case


def _clock_rows(clocks, today):
    return [(c, rules.CLOCK_STATES[c.state(today)], c.overdue(today)) for c in clocks]


@service_view
def on_spot_list(request):
    user = request.user
    may = user.can("enforcement.case")
    today = timezone.localdate()
    rows = [(p, any(c.overdue(today) for c in p.clocks())) for p in selectors.on_spot_penalties(user)[:300]]
    return render(request, "enforcement/on_spot_list.html", {
        "rows": rows, "may": may, "enterprises": selectors.supervised_enterprises(user) if may else [],
        "inspectors": selectors.inspectors(user) if may else [], "party_kinds": Case.PARTY_KINDS,
        "penalties": em.SIMPLE_PENALTIES, "today": today.isoformat(),
        "limits": em.SIMPLE_FINE_LIMIT, "cash_limit": em.ON_SPOT_CASH_LIMIT,
    })


@service_view
@require_POST
def on_spot_new(request):
    user, post = request.user, request.POST
    data = {k: post.get(k) for k in service.ON_SPOT_FIELDS if k != "is_synthetic"}
    return service_post(request, lambda: service.decide_on_spot(user, data), "enforcement:on-spot",
                        success=lambda row: f"已作出当场处罚决定：{row.number}",
                        then=lambda row: reverse("enforcement:on-spot-detail", args=[row.pk]))


@service_view
def on_spot_detail(request, pk):
    user = request.user
    row = service.get_on_spot(user, pk)
    today = timezone.localdate()
    may = user.can("enforcement.case")
    steps = []
    if may:
        if not row.recorded_on:
            steps.append(("record", "报所属机关备案"))
        if row.cash_collected and not row.handed_over_on:
            steps.append(("handover", "当场收缴的罚款已交至机关"))
        if row.penalty == "fine" and not row.cash_collected and not row.paid_on:
            steps.append(("paid", "当事人已缴纳罚款"))
    return render(request, "enforcement/on_spot_detail.html", {
        "row": row, "clocks": _clock_rows(row.clocks(), today), "steps": steps, "today": today.isoformat(),
        "documents": selectors.documents_of(row), "timeline": history_of(row),
    })


@service_view
@require_POST
def on_spot_act(request, pk):
    user, post = request.user, request.POST
    return service_post(request, lambda: service.on_spot_step(user, pk, post.get("action", ""), post.get("day")),
                        "enforcement:on-spot-detail", pk=pk, success="已登记")


@service_view
def measure_list(request):
    user = request.user
    state = request.GET.get("state", "")
    today = timezone.localdate()
    rows = [(m, m.clock(), m.clock().overdue(today)) for m in selectors.measures(user, state)[:300]]
    may = user.can("enforcement.case")
    return render(request, "enforcement/measure_list.html", {
        "rows": rows, "states": em.MEASURE_STATES, "state": state, "kinds": em.MEASURES, "may": may,
        "cases": selectors.cases(user).filter(state__in=rules.CASE_OPEN)[:200] if may else [],
        "inspections": selectors.inspections(user)[:200] if may else [], "today": today.isoformat(),
    })


@service_view
@require_POST
def measure_new(request):
    user, post = request.user, request.POST
    data = {k: post.get(k) for k in service.MEASURE_FIELDS if k != "is_synthetic"}
    return service_post(request, lambda: service.impose_measure(user, data), "enforcement:measures",
                        success=lambda m: f"已作出{m.get_kind_display()}决定：{m.number}",
                        then=lambda m: reverse("enforcement:measure", args=[m.pk]))


@service_view
def measure_detail(request, pk):
    user = request.user
    measure = service.get_measure(user, pk)
    today = timezone.localdate()
    open_ = measure.ended_on is None
    may = user.can("enforcement.case")
    return render(request, "enforcement/measure_detail.html", {
        "m": measure, "clocks": _clock_rows([measure.clock()], today), "today": today.isoformat(),
        "can_extend": open_ and user.can("enforcement.decide") and em.measure_problem_to_extend(measure.fact(), today) is None,
        "can_end": open_ and may, "documents": selectors.documents_of(measure), "timeline": history_of(measure),
    })


@service_view
@require_POST
def measure_act(request, pk):
    user, post = request.user, request.POST
    action = post.get("action", "")
    if action == "extend":
        def run():
            return service.extend_measure(user, pk, post.get("reason", ""), post.get("day"))
    else:
        def run():
            return service.end_measure(user, pk, action, post.get("outcome", ""), post.get("day"))
    return service_post(request, run, "enforcement:measure", pk=pk,
                        success=lambda m: f"当前状态：{m.get_state_display()}")
