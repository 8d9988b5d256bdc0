"""Duty pages: month calendar with swaps, handovers, daily reports and the missing-units list."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yingji.core import scope
from yingji.core.errors import ServiceError, ValidationFailed
from yingji.core.views import service_view
from yingji.regions.models import Organisation

from . import services
from .models import DailyReport, DutyRoster, DutyShift, Handover, ShiftSwap


def _unit(request) -> Organisation | None:
    unit_id = request.GET.get("unit") or request.POST.get("unit")
    if unit_id:
        return services.get_or_404(Organisation, request.user, unit_id)
    return services.duty_unit_of(request.user)


def _month(request) -> dt.date:
    raw = request.GET.get("month") or ""
    try:
        return dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def _done(request, target, action):
    try:
        messages.success(request, action())
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(target)


@service_view
def calendar_view(request):
    unit, month = _unit(request), _month(request)
    roster = None
    if unit is not None:
        roster = DutyRoster.objects.filter(organisation=unit, month=month).first()
    units = scope.visible(Organisation.objects.filter(kind__in=["bureau", "department"]), request.user)
    prev_month = (month - dt.timedelta(days=1)).replace(day=1)
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    swaps = scope.visible(ShiftSwap.objects.filter(status="pending").select_related("shift"), request.user)
    return render(request, "duty/calendar.html", {
        "unit": unit, "units": units, "month": month, "roster": roster,
        "weeks": services.month_calendar(roster) if roster else [],
        "on_duty": services.on_duty_summary(unit) if unit else [],
        "prev": prev_month.strftime("%Y-%m"), "next": next_month.strftime("%Y-%m"),
        "swaps": swaps, "can_decide": request.user.can("duty.swaps.decide"),
    })


@service_view
@require_POST
def request_swap(request, shift_pk):
    shift = services.get_or_404(DutyShift, request.user, shift_pk)
    return _done(request, request.POST.get("next") or "duty-calendar", lambda: "已提交调班申请，待审批：" + str(
        services.request_swap(request.user, shift, request.POST.get("replacement_name", ""),
                              request.POST.get("reason", ""), request.POST.get("replacement_phone", ""))))


@service_view
@require_POST
def decide_swap(request, pk):
    swap = services.get_or_404(ShiftSwap, request.user, pk)
    approve = request.POST.get("approve") == "1"
    return _done(request, "duty-calendar", lambda: f"{services.decide_swap(request.user, swap, approve, request.POST.get('note', ''))}："
                                            f"{'已批准' if approve else '已驳回'}")


@service_view
def handovers(request):
    unit = _unit(request)
    error = ""
    if request.method == "POST":
        try:
            if unit is None:
                raise ValidationFailed("您的账号没有对应的值班单位")
            data = {k: request.POST.get(k, "") for k in ("outgoing_name", "incoming_name", "summary", "pending_items")}
            services.create_handover(request.user, unit, data)
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, "已填写交接班记录，等待接班人员确认")
            return redirect("duty-handovers")
    rows = scope.visible(Handover.objects.select_related("organisation", "acknowledged_by"), request.user)[:50]
    return render(request, "duty/handovers.html", {"unit": unit, "rows": rows, "error": error,
                                                   "on_duty": services.on_duty_summary(unit) if unit else []},
                  status=400 if error else 200)


@service_view
@require_POST
def acknowledge_handover(request, pk):
    handover = services.get_or_404(Handover, request.user, pk)
    return _done(request, "duty-handovers", lambda: "已确认接班：" + str(
        services.acknowledge_handover(request.user, handover, request.POST.get("note", ""))))


@service_view
def daily(request):
    unit = _unit(request)
    error = ""
    if request.method == "POST" and unit is not None:
        try:
            count = request.POST.get("incident_count") or "0"
            if not count.isdigit():
                raise ValidationFailed("当日突发事件数应为非负整数", fields={"incident_count": ["非负整数"]})
            services.submit_daily_report(request.user, unit, timezone.localdate(),
                                         is_zero=request.POST.get("is_zero") == "1",
                                         summary=request.POST.get("summary", ""), incident_count=int(count))
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, "今日值班日报已报送")
            return redirect("duty-daily")
    today = timezone.localdate()
    status = services.daily_report_status(unit, today) if unit else None
    mine = DailyReport.objects.filter(organisation=unit, report_date=today).first() if unit else None
    return render(request, "duty/daily.html", {"unit": unit, "status": status, "mine": mine, "error": error,
                                               "today": today}, status=400 if error else 200)
