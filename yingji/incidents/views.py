"""The duty console pages: 值班台, intake, incident detail, report form, board, statistics."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpResponse
from django.urls import reverse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yingji.core.apps import app_modules
from yingji.core.errors import ServiceError
from yingji.core.views import service_view
from yingji.duty.services import duty_unit_of, parent_duty_unit
from yingji.monitoring.alarms import link_incident
from yingji.regions.models import Organisation
from yingji.rules.incident_types import CATEGORIES, INCIDENT_TYPES
from yingji.rules.report_chain import DECREE_493_ART12_ITEMS, REPORT_KINDS, next_report_kind_allowed

from . import document_jobs, documents, selectors, services
from .deadline_service import complete_manually, may_complete, overdue_statistics
from .models import FIGURE_FIELDS, FIGURE_LABELS, SOURCES, figure_label, figure_text


def _type_groups():
    return [(CATEGORIES[c], [(t.code, t.name) for t in INCIDENT_TYPES if t.category == c]) for c in CATEGORIES]


def _figure_rows(obj):
    return [(figure_label(n), figure_text(n, getattr(obj, n))) for n in FIGURE_FIELDS]


@service_view
def console(request):
    user = request.user
    unit = duty_unit_of(user)
    context = {
        "unit": unit,
        "deadlines": selectors.deadlines_for(user, "pending")[:50],
        "other_deadlines": sorted((row for _, module in app_modules("duty_board") for row in module.deadlines(user)),
                                  key=lambda row: row["due_at"]),
        "receipts": selectors.receipts_for(user, pending_only=True)[:20],
        "incidents": selectors.filtered(user, {"open": "1"})[:30],
        "can_report": user.can("incidents.report"),
        "now": timezone.now(),
    }
    template = "incidents/_console_panels.html" if request.GET.get("partial") else "incidents/console.html"
    return render(request, template, context)


@service_view
def intake(request):
    error, fields = "", {}
    data = request.POST.dict() if request.method == "POST" else {
        "client_token": str(uuid.uuid4()), "source": "phone",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "division_code": request.user.region_code,
        **prefill_from(request.GET)}
    if request.method == "POST":
        try:
            incident, created = services.take_call(request.user, data, request.FILES.getlist("attachments"))
        except ServiceError as exc:
            error, fields = exc.message, exc.fields
        else:
            if created:
                messages.success(request, f"已接报“{incident.title}”，请在时限内电话报告并报送首报")
                _link_alarm(request.user, data.get("alarm"), incident)
            return redirect("incident-detail", pk=incident.pk)
    return render(request, "incidents/intake.html", {
        "data": data, "error": error, "fields": fields, "sources": SOURCES, "type_groups": _type_groups(),
        "figures": [(n, FIGURE_LABELS[n], data.get(n, "")) for n in FIGURE_FIELDS],
    }, status=400 if error else 200)


# Fields another page may pre-fill with query parameters (e.g. a monitoring alarm's "转为事件").
PREFILL_FIELDS = ("title", "source", "type_code", "occurred_at", "address", "caller_unit", "description",
                  "division_code", "lon", "lat", "enterprise_id", "alarm")


def prefill_from(params) -> dict:
    return {name: params[name] for name in PREFILL_FIELDS if params.get(name)}


def _link_alarm(user, alarm_id, incident) -> None:
    """An incident filed from an alarm is remembered on the alarm (and audited there)."""
    if not (alarm_id and str(alarm_id).isdigit()):
        return
    try:
        link_incident(user, int(alarm_id), reverse("incident-detail", args=[incident.pk]))
    except ServiceError:
        pass  # the alarm is out of the user's scope or gone: the incident stands on its own


@service_view
def detail(request, pk):
    incident = services.get_incident(request.user, pk)
    kinds = list(incident.reports.values_list("kind", flat=True))
    allowed = next_report_kind_allowed(kinds, incident.state == "closed")
    unit = duty_unit_of(request.user)
    deadlines = list(incident.deadlines.select_related("unit").order_by("due_at"))
    for d in deadlines:
        d.may_complete = may_complete(request.user, d)
    return render(request, "incidents/detail.html", {
        "incident": incident, "figures": _figure_rows(incident),
        "reports": incident.reports.select_related("reporting_unit").prefetch_related("receipts__receiving_unit",
                                                                                     "receipts__acknowledged_by"),
        "deadlines": deadlines,
        "timeline": incident.timeline.all(),
        "attachments": incident.attachments.all(),
        "next_kinds": [(k, REPORT_KINDS[k]) for k in REPORT_KINDS if k in allowed],
        "can_report": request.user.can("incidents.report"),
        "my_unit": unit, "parent_unit": parent_duty_unit(unit) if unit else None,
        "departments": Organisation.objects.filter(kind__in=["department", "special_hq"],
                                                   division_code__startswith=request.user.scope_prefix)[:80],
        "now": timezone.now(),
    })


@service_view
def report_form(request, pk, kind):
    incident = services.get_incident(request.user, pk)
    if kind not in REPORT_KINDS:
        return redirect("incident-detail", pk=pk)
    if request.method != "POST" and kind not in next_report_kind_allowed(
            list(incident.reports.values_list("kind", flat=True)), incident.state == "closed"):
        # The form is offered only when the report can be filed (a 续报 after the 终报 is refused).
        messages.warning(request, f"该事件当前不能报送{REPORT_KINDS[kind]}")
        return redirect("incident-detail", pk=pk)
    latest = incident.reports.order_by("-sequence").first()
    error, fields = "", {}
    if request.method == "POST":
        data = request.POST.dict()
        try:
            report = services.file_report(request.user, incident, kind, data,
                                          submit_upward=data.get("submit_upward") == "1")
        except ServiceError as exc:
            error, fields = exc.message, exc.fields
        else:
            messages.success(request, f"已报送{report}")
            return redirect("incident-detail", pk=pk)
    else:
        source = latest or incident
        data = {n: getattr(source, n) for n in FIGURE_FIELDS}
        # To the second: a report filed within the minute of 接报 must not read as earlier than it.
        data["report_at"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S")
        if latest:
            data.update({code: getattr(latest, code) for code, _ in DECREE_493_ART12_ITEMS})
            data["issuer"] = latest.issuer
        else:
            occurred = timezone.localtime(incident.occurred_at or incident.received_at)
            data["time_place_scene"] = f"{occurred:%Y年%m月%d日%H时%M分}，{incident.address or ''}"
            data["brief_course"] = incident.description
    unit = duty_unit_of(request.user)
    known = incident.figures()  # the last known figures: the latest report's, or the intake's
    return render(request, "incidents/report_form.html", {
        "incident": incident, "kind": kind, "kind_label": REPORT_KINDS[kind], "data": data, "error": error,
        "fields": fields, "items": [(code, label, data.get(code, "")) for code, label in DECREE_493_ART12_ITEMS],
        # (name, label, value, previous as entered — 元 for the loss —, previous as shown)
        "figures": [(n, FIGURE_LABELS[n], data.get(n, ""), known[n], figure_text(n, known[n])) for n in FIGURE_FIELDS],
        "compared_with": services.report_label(latest) if latest else "接报",
        "parent_unit": parent_duty_unit(unit) if unit else None,
    }, status=400 if error else 200)


def _back(request, pk, action):
    try:
        message = action()
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect("incident-detail", pk=pk)


@service_view
@require_POST
def escalate(request, report_pk):
    report = services.get_report(request.user, report_pk)
    return _back(request, report.incident_id,
                 lambda: f"已报送{services.escalate(request.user, report).receiving_unit.name}")


@service_view
@require_POST
def forward(request, report_pk):
    report = services.get_report(request.user, report_pk)
    department = Organisation.objects.filter(pk=request.POST.get("department") or 0).first()
    if department is None:
        messages.error(request, "请选择要转送的部门")
        return redirect("incident-detail", pk=report.incident_id)
    return _back(request, report.incident_id,
                 lambda: f"已转送{services.forward(request.user, report, department).receiving_unit.name}")


@service_view
@require_POST
def acknowledge(request, receipt_pk):
    receipt = services.get_receipt(request.user, receipt_pk)
    return _back(request, receipt.incident_id,
                 lambda: f"已签收：{services.acknowledge_receipt(request.user, receipt).report}")


@service_view
@require_POST
def complete_deadline(request, deadline_pk):
    deadline = selectors.get_deadline(request.user, deadline_pk)
    return _back(request, deadline.incident_id,
                 lambda: f"已登记完成：{complete_manually(request.user, deadline, request.POST.get('note', ''))}")


@service_view
@require_POST
def add_entry(request, pk):
    incident = services.get_incident(request.user, pk)
    data = request.POST
    return _back(request, pk, lambda: "已记录：" + services.log_entry(
        request.user, incident, data.get("kind", ""), data.get("text", ""), data.get("at") or None,
        complete_phone_report=data.get("complete_phone_report") == "1").text[:30])


@service_view
@require_POST
def close(request, pk):
    incident = services.get_incident(request.user, pk)
    return _back(request, pk, lambda: f"已办结：{services.close_incident(request.user, incident, request.POST.get('note', ''))}")


@service_view
def document(request, report_pk, fmt):
    """Queue the report's .docx / PDF and open the page that shows its progress."""
    report = services.get_report(request.user, report_pk)
    job = document_jobs.start(request.user, report, fmt)
    return redirect("incident-document-job", job_id=job.pk)


@service_view
def document_job(request, job_id):
    job = document_jobs.job_of(request.user, job_id)
    report = services.get_report(request.user, job.payload["report"])
    return render(request, "incidents/document_job.html", {
        "job": job, "report": report, "label": document_jobs.FORMATS[job.payload["format"]][0],
        "title": documents.document_title(report)})


@service_view
def document_download(request, job_id):
    content, content_type, name = document_jobs.download(
        request.user, job_id, lambda pk: services.get_report(request.user, pk))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"report.{name.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(name)}"
    return response


@service_view
def board(request):
    data = selectors.board(request.user)
    return render(request, "incidents/board.html", {**data, "colors": selectors.GRADE_COLORS})


@service_view
def stats(request):
    rows = overdue_statistics(selectors.deadlines_for(request.user, "all"))
    return render(request, "incidents/stats.html", {"rows": rows})


__all__ = ["console", "intake", "detail", "report_form", "board", "stats", "documents"]
