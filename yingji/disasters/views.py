"""The disaster pages: events, the event page (totals, relief level, stage summary), the
mobile-friendly loss-report form, stabilisation and relief payments. Thin: services write,
selectors read."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yingji.core import scope
from yingji.core.errors import ServiceError
from yingji.geo import divcodes
from yingji.rules.disaster_reports import HAZARD_TYPES, STAGES
from yingji.rules.relief import mask_id_number
from yingji.core.views import service_post, service_view

from . import selectors, services
from .deadlines import event_deadlines
from .exports import loss_workbook, notice_workbook
from .special_report import special_report
from .models import (FIGURE_LABELS, FIGURE_NAMES, RELIEF_CATEGORIES, CasualtyRecord, LossReport, ReliefDispatch,
                     ReliefNotice, ReliefTableConfig)


@service_view
def index(request):
    return render(request, "disasters/index.html", {
        "events": selectors.visible_events(request.user)[:100], "hazards": HAZARD_TYPES,
        "can_create": request.user.can("disasters.report"),
    })


@service_view
def new_event(request):
    error, fields = "", {}
    data = request.POST.dict() if request.method == "POST" else {
        "division_code": request.user.region_code, "start_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    if request.method == "POST":
        payload = {**data, "relief_table_id": data.get("relief_table_id") or None,
                   "agricultural_population": data.get("agricultural_population") or 0,
                   "end_at": data.get("end_at") or None, "daily_reporting": data.get("daily_reporting") == "1"}
        try:
            event = services.create_event(request.user, payload)
        except ServiceError as exc:
            error, fields = exc.message, exc.fields
        else:
            messages.success(request, f"已建立灾害过程“{event.title}”")
            return redirect("disaster-detail", pk=event.pk)
    return render(request, "disasters/event_form.html", {
        "data": data, "error": error, "fields": fields, "hazards": HAZARD_TYPES,
        "tables": ReliefTableConfig.objects.filter(active=True),
    }, status=400 if error else 200)


@service_view
def detail(request, pk):
    user = request.user
    event = selectors.get_event(user, pk)
    own_scope = scope.is_visible(event, user)
    code = event.division_code if own_scope else divcodes.normalise(user.region_code)
    relief = selectors.relief_for(event)
    totals = selectors.event_totals(event)
    return render(request, "disasters/detail.html", {
        "event": event, "relief": relief, "own_scope": own_scope, "relief_table": selectors.relief_table_for(event),
        "totals": [(FIGURE_LABELS[n], totals[n]) for n in FIGURE_NAMES] if totals else [],
        "summary": selectors.stage_summary(event, code), "labels": FIGURE_LABELS, "names": FIGURE_NAMES,
        "reports": selectors.reports_of(event, user), "payments": selectors.payments_of(event, user)[:200],
        "can_report": user.can("disasters.report"), "can_file": user.can("disasters.file_report"),
        "pending": selectors.pending_reviews(event, user), "can_dispatch": user.can("disasters.relief_logistics"), "categories": RELIEF_CATEGORIES, "hazard": HAZARD_TYPES.get(event.hazard_type, ""),
        "casualties": selectors.casualty_check(event, user), "deadlines": event_deadlines(event),
        "stage_choices": list(STAGES.items()), "logistics": selectors.logistics(event, user),
    })


@service_view
def report_form(request, pk):
    user = request.user
    event = selectors.get_event(user, pk)
    error, fields = "", {}
    data = request.POST.dict() if request.method == "POST" else {
        "division_code": user.region_code, "reporter": user.display_name(), **_next_defaults(event, user)}
    if request.method == "POST":
        try:
            report = services.file_report(user, event, data)
        except ServiceError as exc:
            error, fields = exc.message, exc.fields
        else:
            waiting = "，待县级审核后上报" if report.review_state == "pending" else ""
            messages.success(request, f"已报送{report.get_stage_display()}（{selectors.place_name(report.division_code)}）{waiting}")
            return redirect("disaster-detail", pk=event.pk)
    return render(request, "disasters/report_form.html", {
        "event": event, "data": data, "error": error, "fields": fields, "stages": STAGES,
        "figures": [(n, FIGURE_LABELS[n], data.get(n, "")) for n in FIGURE_NAMES],
        "needs_jump": "jump_explanation" in fields, "needs_difference": "difference_explanation" in fields,
    }, status=400 if error else 200)


@service_view
def review(request, pk, rid):
    """The county reviews a 灾害信息员's report: corrects figures with a reason, accepts and
    submits it upward."""
    user = request.user
    event = selectors.get_event(user, pk)
    report = scope.get_visible(LossReport.objects.filter(event=event), rid, user, "灾情报告")
    error, fields = "", {}
    data = request.POST.dict() if request.method == "POST" else {n: getattr(report, n) for n in FIGURE_NAMES}
    if request.method == "POST":
        try:
            services.review_report(user, report, {n: data.get(n) for n in FIGURE_NAMES},
                                   data.get("correction_reason", ""))
        except ServiceError as exc:
            error, fields = exc.message, exc.fields
        else:
            messages.success(request, f"已审核并上报{selectors.place_name(report.division_code)}的{report.get_stage_display()}")
            return redirect("disaster-detail", pk=event.pk)
    return render(request, "disasters/review_form.html", {
        "event": event, "report": report, "error": error, "fields": fields, "data": data,
        "figures": [(n, FIGURE_LABELS[n], getattr(report, n), data.get(n, "")) for n in FIGURE_NAMES],
        "division_name": selectors.place_name(report.division_code),
    }, status=400 if error else 200)


def _next_defaults(event, user) -> dict:
    """Pre-fill the form with the division's previous figures and the next stage."""
    latest = (event.reports.filter(division_code=divcodes.normalise(user.region_code))
              .order_by("-sequence").first())  # pending or accepted: the officer's own last figures
    if latest is None:
        return {"stage": "initial"}
    return {"stage": "update", **{n: getattr(latest, n) for n in FIGURE_NAMES}}


@require_POST
@service_view
def stabilise(request, pk):
    event = selectors.get_event(request.user, pk)
    services.mark_stabilised(request.user, event)
    messages.success(request, "已标记灾情稳定，可以报送核报")
    return redirect("disaster-detail", pk=pk)


@require_POST
@service_view
def payment(request, pk):
    event = selectors.get_event(request.user, pk)
    return service_post(request, lambda: services.record_payment(request.user, event, request.POST.dict()),
                        "disaster-detail", pk=pk, success="已登记救助发放")


@require_POST
@service_view
def casualty(request, pk):
    event = selectors.get_event(request.user, pk)
    return service_post(request, lambda: services.register_casualty(request.user, event, request.POST.dict()),
                        "disaster-detail", pk=pk, success="已登记因灾死亡失踪人员")


@require_POST
@service_view
def casualty_status(request, pk, cid):
    event = selectors.get_event(request.user, pk)
    record = scope.get_visible(CasualtyRecord.objects.filter(event=event), cid, request.user, "因灾死亡失踪人员")
    return service_post(request, lambda: services.change_casualty_status(
        request.user, record, request.POST.get("status", ""), request.POST.get("note", "")), "disaster-detail", pk=pk)


@service_view
def export_xlsx(request, pk):
    event = selectors.get_event(request.user, pk)
    stage = request.GET.get("stage") or None
    if stage is not None and stage not in STAGES:
        stage = None
    response = HttpResponse(loss_workbook(event, request.user, stage),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="disaster-{event.pk}-{stage or "latest"}.xlsx"'
    return response


@require_POST
@service_view
def dispatch(request, pk):
    event = selectors.get_event(request.user, pk)
    return service_post(request, lambda: services.order_dispatch(request.user, event, request.POST.dict()),
                        "disaster-detail", pk=pk)


@require_POST
@service_view
def dispatch_step(request, pk, did, step):
    event = selectors.get_event(request.user, pk)
    record = scope.get_visible(ReliefDispatch.objects.filter(event=event), did, request.user, "救灾物资调运")
    return service_post(request, lambda: services.mark_dispatch(request.user, record, step), "disaster-detail", pk=pk)


def _notice_params(request, event) -> tuple[str, str]:
    category = request.GET.get("category") or request.POST.get("category") or "emergency"
    if category not in dict(RELIEF_CATEGORIES):
        category = "emergency"
    raw = request.GET.get("division") or request.POST.get("division_code") or request.user.region_code
    try:
        division = divcodes.normalise(raw)
    except divcodes.DivisionCodeError:
        division = divcodes.normalise(request.user.region_code)
    return category, division


@service_view
def notice(request, pk):
    """公示 list of one category in a village or township: printable page, .xlsx, and the
    record that it was posted (where, from when, how many days)."""
    user = request.user
    event = selectors.get_event(user, pk)
    category, division = _notice_params(request, event)
    if request.method == "POST":
        return service_post(request, lambda: services.post_notice(user, event, {**request.POST.dict(), "category": category}),
                            f"{reverse('disaster-notice', args=[pk])}?category={category}&division={division}",
                            success=lambda posted: f"已登记公示：{posted.households}户，{posted.amount_yuan}元")
    payments = selectors.notice_payments(event, user, category, division)
    rows = [{"n": i, "p": p, "masked": mask_id_number(p.head_id_number)} for i, p in enumerate(payments, start=1)]
    total = sum((p.amount_yuan for p in payments), Decimal(0))
    if request.GET.get("format") == "xlsx":
        content = notice_workbook(event, division, dict(RELIEF_CATEGORIES)[category], rows, total)
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="notice-{event.pk}-{division[:9]}-{category}.xlsx"'
        return response
    return render(request, "disasters/notice.html", {
        "event": event, "category": category, "category_label": dict(RELIEF_CATEGORIES)[category],
        "categories": RELIEF_CATEGORIES, "division": division, "rows": rows, "total": total,
        "people": sum(p.people for p in payments),
        "posted": ReliefNotice.objects.filter(event=event, category=category, division_code=division),
        "can_post": user.can("disasters.report") and divcodes.is_within(division, user.region_code),
    })


@service_view
def special_report_docx(request, pk):
    """灾情专报 (.docx) with the map and tables."""
    event = selectors.get_event(request.user, pk)
    response = HttpResponse(special_report(event, request.user),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f'attachment; filename="disaster-{event.pk}-report.docx"'
    return response
