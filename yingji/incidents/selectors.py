"""Reads for the incident pages and API: scoped querysets and JSON shapes."""

from __future__ import annotations

from collections import Counter

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from yingji.core import scope
from yingji.core.apps import app_modules
from yingji.core.errors import ValidationFailed
from yingji.core.links import api_url
from yingji.duty.services import duty_unit_of
from yingji.geo import divcodes
from yingji.regions.services import full_name, name_of
from yingji.rules.incident_types import CATEGORIES
from yingji.rules.report_chain import DECREE_493_ART12_ITEMS

from .models import FIGURE_FIELDS, Incident, IncidentDeadline, IncidentReport, ReportReceipt, TimelineEntry

GRADE_COLORS = {1: "#b71c1c", 2: "#e65100", 3: "#f9a825", 4: "#1565c0", None: "#607d8b"}
GRADE_BADGES = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}  # on the one-map marker: 特别重大 Ⅰ … 一般 Ⅳ


def visible_incidents(user) -> QuerySet:
    return scope.visible(Incident.objects.select_related("receiving_unit"), user)


def filtered(user, params) -> QuerySet:
    qs = visible_incidents(user)
    text = (params.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(address__icontains=text) | Q(description__icontains=text))
    if params.get("open") in ("1", "true"):
        qs = qs.exclude(state="closed")
    for name in ("state", "type_code", "category"):
        if params.get(name):
            qs = qs.filter(**{name: params[name]})
    if params.get("grade_level"):
        try:
            qs = qs.filter(grade_level=int(params["grade_level"]))
        except ValueError as exc:
            raise ValidationFailed("grade_level 应为1–4", fields={"grade_level": ["应为1–4"]}) from exc
    division = (params.get("division") or "").strip()
    if division:
        try:
            qs = qs.filter(division_code__startswith=divcodes.scope_prefix(division))
        except divcodes.DivisionCodeError as exc:
            raise ValidationFailed(str(exc), fields={"division": [str(exc)]}) from exc
    return qs.order_by("-received_at", "-pk")


def deadlines_for(user, status: str = "pending") -> QuerySet:
    qs = scope.visible(IncidentDeadline.objects.select_related("incident", "unit"), user)
    if status == "pending":
        qs = qs.filter(status="pending", window=False, incident__state__in=["received", "first_reported",
                                                                             "follow_up", "final_reported"])
    elif status == "overdue":
        qs = qs.filter(status="pending", window=False, due_at__lt=timezone.now())
    elif status != "all":
        raise ValidationFailed("status 应为 pending、overdue 或 all", fields={"status": ["无效"]})
    return qs.order_by("due_at", "pk")


def get_deadline(user, pk) -> IncidentDeadline:
    return scope.get_visible(IncidentDeadline.objects.select_related("incident", "unit"), pk, user, "报告时限")


def receipts_for(user, pending_only: bool = False) -> QuerySet:
    qs = scope.visible(ReportReceipt.objects.select_related("report", "incident", "sending_unit", "receiving_unit",
                                                             "acknowledged_by"), user)
    unit = duty_unit_of(user)
    if unit is not None:
        qs = qs.filter(receiving_unit=unit)
    if pending_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs.order_by("-received_at", "-pk")


def _iso(value):
    return value.isoformat() if value else None


def incident_json(incident: Incident, detail: bool = False) -> dict:
    data = {
        "id": incident.pk, "title": incident.title, "client_token": str(incident.client_token),
        "source": incident.source, "source_label": incident.get_source_display(),
        "type_code": incident.type_code, "type_label": incident.get_type_code_display(),
        "category": incident.category, "category_label": CATEGORIES.get(incident.category, ""),
        "division_code": incident.division_code, "division_name": full_name(incident.division_code),
        "received_at": _iso(incident.received_at), "occurred_at": _iso(incident.occurred_at),
        "address": incident.address, "lon": incident.lon, "lat": incident.lat,
        "state": incident.state, "state_label": incident.get_state_display(),
        "grade_level": incident.grade_level, "grade_name": incident.grade_name,
        "grade_reasons": incident.grade_reasons, "grade_basis": incident.grade_basis,
        "receiving_unit": incident.receiving_unit.name, "is_synthetic": incident.is_synthetic,
        "version": incident.version,
        **{name: (str(getattr(incident, name)) if name == "direct_loss_yuan" else getattr(incident, name))
           for name in FIGURE_FIELDS},
    }
    if detail:
        data.update({
            "description": incident.description, "caller_name": incident.caller_name,
            "caller_phone": incident.caller_phone, "caller_unit": incident.caller_unit,
            "reports": [report_json(r) for r in incident.reports.select_related("reporting_unit").order_by("sequence")],
            "receipts": [receipt_json(r) for r in incident.receipts.select_related(
                "report", "sending_unit", "receiving_unit", "acknowledged_by").order_by("received_at")],
            "deadlines": [deadline_json(d) for d in incident.deadlines.select_related("unit").order_by("due_at")],
        })
    return data


def report_json(report: IncidentReport) -> dict:
    return {
        "id": report.pk, "incident": report.incident_id, "kind": report.kind, "kind_label": report.get_kind_display(),
        "sequence": report.sequence, "kind_sequence": report.kind_sequence, "title": report.title,
        "reporting_unit": report.reporting_unit.name, "issuer": report.issuer, "report_at": _iso(report.report_at),
        "items": {code: getattr(report, code) for code, _ in DECREE_493_ART12_ITEMS},
        "grade_level": report.grade_level, "grade_name": report.grade_name, "grade_reasons": report.grade_reasons,
        "compared_with": report.compared_with, "changes": report.changes,
        **{name: (str(getattr(report, name)) if name == "direct_loss_yuan" else getattr(report, name))
           for name in FIGURE_FIELDS},
        "docx_url": api_url(f"incident-reports/{report.pk}/document?format=docx"),
        "pdf_url": api_url(f"incident-reports/{report.pk}/document?format=pdf"),
    }


def receipt_json(receipt: ReportReceipt) -> dict:
    return {
        "id": receipt.pk, "incident": receipt.incident_id, "report": receipt.report_id,
        "report_label": str(receipt.report), "route": receipt.route, "route_label": receipt.get_route_display(),
        "sending_unit": receipt.sending_unit.name, "receiving_unit": receipt.receiving_unit.name,
        "received_at": _iso(receipt.received_at), "acknowledged_at": _iso(receipt.acknowledged_at),
        "acknowledged_by": receipt.acknowledged_by.display_name() if receipt.acknowledged_by else None,
    }


def deadline_json(deadline: IncidentDeadline) -> dict:
    now = timezone.now()
    return {
        "id": deadline.pk, "incident": deadline.incident_id, "incident_title": deadline.incident.title,
        "unit": deadline.unit.name, "kind": deadline.kind, "label": deadline.label,
        "starts_at": _iso(deadline.starts_at), "clock": deadline.clock, "due_at": _iso(deadline.due_at),
        "window": deadline.window, "status": deadline.status, "status_label": deadline.get_status_display(),
        "done_at": _iso(deadline.done_at), "done_note": deadline.done_note, "source": deadline.source,
        "remaining_seconds": None if deadline.status != "pending" else int((deadline.due_at - now).total_seconds()),
        "late": deadline.late,
    }


def entry_json(entry: TimelineEntry) -> dict:
    return {"id": entry.pk, "at": _iso(entry.at), "kind": entry.kind, "kind_label": entry.get_kind_display(),
            "text": entry.text, "actor": entry.actor_name, "unit": entry.unit_name}


# ----- board ---------------------------------------------------------------------------


def board_extras(user, incident_ids) -> dict[int, list[str]]:
    """Lines other apps add per incident on the board (e.g. command: response level, open tasks):
    an ``incident_board.py`` module with ``summaries(user, incident_ids) -> {id: [text]}``."""
    lines: dict[int, list[str]] = {}
    for _, module in app_modules("incident_board", exclude=("incidents",)):
        for incident_id, texts in module.summaries(user, incident_ids).items():
            lines.setdefault(incident_id, []).extend(texts)
    return lines


def board(user) -> dict:
    """Open incidents grouped by grade, category and county."""
    open_incidents = list(visible_incidents(user).exclude(state="closed").order_by("grade_level", "-received_at"))
    by_grade = Counter(i.grade_name or "未分级" for i in open_incidents)
    by_category = Counter(CATEGORIES.get(i.category, i.category) for i in open_incidents)
    by_region = Counter(name_of(i.division_code[:6].ljust(12, "0")) for i in open_incidents)
    extras = board_extras(user, [i.pk for i in open_incidents])
    for incident in open_incidents:
        incident.board_extras = extras.get(incident.pk, [])
    return {"incidents": open_incidents, "by_grade": sorted(by_grade.items()),
            "by_category": sorted(by_category.items()), "by_region": sorted(by_region.items())}


def board_geojson(user) -> dict:
    features = []
    for incident in visible_incidents(user).exclude(state="closed").filter(lon__isnull=False):
        features.append({
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [incident.lon, incident.lat]},
            "properties": {"id": incident.pk, "name": incident.title, "url": reverse("incident-detail", args=[incident.pk]),
                           "color": GRADE_COLORS.get(incident.grade_level, GRADE_COLORS[None]),
                           "popup": f"{incident.grade_name or '未分级'} · {incident.get_type_code_display()} · "
                                    f"{incident.get_state_display()}" + ("（合成示例）" if incident.is_synthetic else ""),
                           "badge": GRADE_BADGES.get(incident.grade_level, ""), "state": incident.get_state_display(),
                           "grade_level": incident.grade_level, "synthetic": incident.is_synthetic}})
    return {"type": "FeatureCollection", "features": features}
