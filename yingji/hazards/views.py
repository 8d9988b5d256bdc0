"""Console pages of the hazards app (thin: registries, selectors and services do the work)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yingji.audit.services import history_of
from yingji.core import capabilities, scope
from yingji.core.errors import NotFound, ServiceError
from yingji.core.registry import REGISTRIES
from yingji.core.views import service_view
from yingji.regions.services import full_name
from yingji.rules import hidden_hazard as rules
from yingji.rules import risk as risk_rules

from . import grading, loop, risk, stats
from .api import actions_json
from .models import HazardPhoto, HazardSource, HiddenHazard
from .selectors import overdue

ACTION_INPUTS = {
    "grade": ("select", list(rules.GRADES.items())),
    "deadline": ("date", None),
    "funds_yuan": ("number", None),
    "measures": ("textarea", None),
    "goals": ("textarea", None),
    "safety_measures": ("textarea", None),
    "evaluation_report": ("textarea", None),
    "reason": ("textarea", None),
    "opinion": ("textarea", None),
}


def _page(request, queryset, size=20):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@service_view
def source_list(request):
    registry = REGISTRIES["hazard-sources"]
    qs = registry.filtered(request.user, request.GET)
    return render(request, "hazards/source_list.html", {
        "page": _page(request, qs), "query": _query(request), "q": request.GET.get("q", ""),
        "grade": request.GET.get("current_grade", ""), "can_write": registry.can_write(request.user),
    })


@service_view
def source_detail(request, pk):
    registry = REGISTRIES["hazard-sources"]
    source = registry.get(request.user, pk)
    units = list(source.units.order_by("pk").prefetch_related("chemicals"))
    gradings = list(source.gradings.order_by("-graded_at", "-pk")[:20])
    current = gradings[0] if gradings else None
    return render(request, "hazards/source_detail.html", {
        "source": source, "units": units, "current": current, "gradings": gradings,
        "working": current.result if current else None, "can_write": registry.can_write(request.user),
        "history": history_of(source)[:30], "division_name": full_name(source.division_code),
        "evaluation_overdue": source.evaluation_overdue(),
    })


@service_view
@require_POST
def source_regrade(request, pk):
    source = REGISTRIES["hazard-sources"].get(request.user, pk)
    scope.check_can_write(HazardSource, request.user, source.division_code, source)
    grading.regrade(source, request.user, "手动重新分级", force=True)
    messages.success(request, "已按当前内容和规则设置重新分级")
    return redirect("hazards:source-detail", pk=pk)


@service_view
def hidden_list(request):
    registry = REGISTRIES["hidden-hazards"]
    qs = registry.filtered(request.user, request.GET)
    overdue_only = request.GET.get("overdue") == "1"
    rows = overdue(qs, timezone.localdate()) if overdue_only else qs
    return render(request, "hazards/hidden_list.html", {
        "page": _page(request, rows), "query": _query(request), "q": request.GET.get("q", ""),
        "states": list(rules.STATES.items()), "grades": list(rules.GRADES.items()),
        "state": request.GET.get("state", ""), "grade": request.GET.get("grade", ""), "overdue": overdue_only,
        "can_report": request.user.can("hazards.report"),
    })


@service_view
def hidden_new(request):
    registry = REGISTRIES["hidden-hazards"]
    form_cls = registry.form_class()
    error = ""
    if request.method == "POST":
        form = form_cls(request.POST)
        try:
            hazard = registry.create(request.user, request.POST.dict())
        except ServiceError as exc:
            error = exc.message
            for name, errs in (exc.fields or {}).items():
                if name in form.fields:
                    for e in errs:
                        form.add_error(name, e)
        else:
            for upload in request.FILES.getlist("photos"):
                loop.add_photo(request.user, hazard, upload, "discovery")
            messages.success(request, f"已登记隐患“{hazard}”，待监管人员确认")
            return redirect("hazards:hidden-detail", pk=hazard.pk)
    else:
        initial = {k: request.GET[k] for k in ("enterprise", "inspection", "clause", "title", "source") if k in request.GET}
        if capabilities.enterprise_bound(request.user):
            initial.setdefault("enterprise", request.user.enterprise_id)
        form = form_cls(initial=initial)
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "input")
    if "enterprise" in form.fields:
        form.fields["enterprise"].queryset = scope.visible(form.fields["enterprise"].queryset, request.user)
    if "inspection" in form.fields:
        form.fields["inspection"].queryset = scope.visible(form.fields["inspection"].queryset, request.user)
    return render(request, "hazards/hidden_form.html", {"form": form, "error": error}, status=400 if error else 200)


def _action_forms(hazard, user) -> list[dict]:
    forms = []
    for action in actions_json(hazard, user):
        inputs = []
        for name in action["fields"]:
            kind, choices = ACTION_INPUTS.get(name, ("text", None))
            value = hazard.proposed_grade if name == "grade" else ""
            inputs.append({"name": name, "label": loop.FIELD_LABELS[name], "kind": kind, "choices": choices,
                           "value": value})
        forms.append({**action, "inputs": inputs, "danger": action["action"] in (
            "reject", "fail_review", "return_plan", "refuse_resumption")})
    return forms


@service_view
def hidden_detail(request, pk, error: str = "", status: int = 200):
    hazard = REGISTRIES["hidden-hazards"].get(request.user, pk)
    timeline = history_of(hazard)
    return render(request, "hazards/hidden_detail.html", {
        "hazard": hazard, "actions": _action_forms(hazard, request.user), "photos": hazard.photos.order_by("pk"),
        "timeline": timeline, "error": error, "overdue": hazard.is_overdue(),
        "steps": [(s, label, s == hazard.state) for s, label in rules.STATES.items()],
        "stages": HazardPhoto.STAGES, "division_name": full_name(hazard.division_code),
        "can_upload": hazard.state not in rules.TERMINAL_STATES and request.user.can("hazards.report"),
    }, status=status)


@service_view
@require_POST
def hidden_act(request, pk):
    fields = request.POST.dict()
    action = fields.pop("action", "")
    version = fields.pop("version", None)
    fields.pop("csrfmiddlewaretoken", None)
    try:
        hazard = loop.transition(request.user, pk, action, fields, expected_version=version)
    except ServiceError as exc:
        if exc.status in (401, 404):
            raise
        return hidden_detail.__wrapped__(request, pk, error=exc.message, status=exc.status)
    label = rules.HAZARD_MACHINE.transitions[action].label
    messages.success(request, f"已{label}，当前状态：{hazard.get_state_display()}")
    return redirect("hazards:hidden-detail", pk=pk)


@service_view
@require_POST
def hidden_photo(request, pk):
    hazard = REGISTRIES["hidden-hazards"].get(request.user, pk)
    try:
        loop.add_photo(request.user, hazard, request.FILES.get("image"), request.POST.get("stage", "discovery"),
                       request.POST.get("caption", ""))
    except ServiceError as exc:
        if exc.status in (401, 404):
            raise
        return hidden_detail.__wrapped__(request, pk, error=exc.message, status=exc.status)
    messages.success(request, "照片已上传")
    return redirect("hazards:hidden-detail", pk=pk)


@service_view
def photo_file(request, pk):
    photo = HazardPhoto.objects.filter(pk=pk).first()
    if photo is None:
        raise NotFound("照片不存在")
    scope.check_can_see(photo, request.user)
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type or "application/octet-stream")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@service_view
def inspection_detail(request, pk):
    task = REGISTRIES["inspections"].get(request.user, pk)
    return render(request, "hazards/inspection_detail.html", {
        "task": task, "items": task.items, "hazards": task.hidden_hazards.order_by("pk"),
        "can_report": request.user.can("hazards.report"),
    })


@service_view
def risk_map(request):
    data = risk.risk_map(request.user)
    levels = list(risk_rules.RISK_LEVELS.values())
    return render(request, "hazards/risk_map.html", {
        "data": data, "levels": levels, "scope_name": full_name(request.user.region_code),
        "county_colours": json.dumps({c["code"]: {"hex": c["colour_hex"], "label": c["level_name"], "counts": c["counts"]}
                                      for c in data["counties"]}, ensure_ascii=False),
    })


@service_view
def risk_points_geojson(request):
    return JsonResponse(risk.risk_point_features(request.user))


@service_view
def statistics(request):
    return render(request, "hazards/statistics.html", {
        "hidden": stats.hidden_hazard_statistics(request.user), "sources": stats.hazard_source_statistics(request.user),
        "overdue": stats.overdue_lists(request.user), "scope_name": full_name(request.user.region_code),
    })


@service_view
def statistics_export(request):
    content, filename = stats.export_statistics(request.user)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def hazard_of(request, pk) -> HiddenHazard:
    return REGISTRIES["hidden-hazards"].get(request.user, pk)
