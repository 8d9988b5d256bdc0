"""The field app (PWA) for information officers, inspectors and team leaders: its page, its
service worker and manifest (served from our own origin under /social/field/, so the worker's
scope is the app and the CSP's script-src 'self' holds), the report sync endpoint and the inbox
of tasks and warnings for the user's area. Errors are the API's JSON error shape."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from yingji.command.models import Task
from yingji.core import scope
from yingji.core.errors import Forbidden, ServiceError, ValidationFailed
from yingji.core.views import service_view
from yingji.geo import divcodes
from yingji.warnings.selectors import active_warnings

from . import field
from .field import FIGURES
from .models import FieldReport

OPEN_TASK_STATES = ("issued", "accepted", "in_progress")


def _error(exc: ServiceError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=exc.status, json_dumps_params={"ensure_ascii": False})


@service_view
def app(request):
    if not request.user.can("field.report"):
        raise Forbidden("您的账号不能使用外业报送")
    return render(request, "social/field/app.html", {"kinds": FieldReport.KINDS, "figures": FIGURES.items()})


def service_worker(request):
    path = finders.find("social/field-sw.js")
    with open(path, encoding="utf-8") as fh:
        body = fh.read()
    shell = [reverse("field-app"), reverse("field-manifest"), static("social/field.js"), static("social/field.css"),
             static("social/field-icon-192.png")]
    body = body.replace("/*SHELL*/[]", json.dumps(shell))
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # browsers re-check the worker on every visit
    return response


def manifest(request):
    data = {
        "name": "应急外业报送", "short_name": "外业报送", "lang": "zh-Hans", "display": "standalone",
        "start_url": reverse("field-app"), "scope": reverse("field-app"), "background_color": "#ffffff",
        "theme_color": "#0d3b66",
        "icons": [{"src": static("social/field-icon-192.png"), "sizes": "192x192", "type": "image/png"},
                  {"src": static("social/field-icon-512.png"), "sizes": "512x512", "type": "image/png"}],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _report_json(report: FieldReport, created: bool | None = None) -> dict:
    row = {"id": report.pk, "client_id": str(report.client_id), "kind": report.kind, "kind_label": report.get_kind_display(),
           "title": report.title, "state": report.state, "state_label": report.get_state_display(),
           "conflict": report.conflict, "photos": report.photos.count(),
           "received_at": timezone.localtime(report.received_at).strftime("%Y-%m-%d %H:%M")}
    if created is not None:
        row["created"] = created
    return row


@never_cache
@require_http_methods(["GET", "POST"])
def reports(request):
    if not request.user.is_authenticated:
        return JsonResponse({"error": {"code": "not_authenticated", "message": "请先登录", "fields": {}}}, status=401,
                            json_dumps_params={"ensure_ascii": False})
    if request.method == "GET":
        return JsonResponse({"items": [_report_json(r) for r in field.mine(request.user)]},
                            json_dumps_params={"ensure_ascii": False})
    try:
        try:
            payload = json.loads(request.POST.get("payload") or "{}")
        except ValueError:
            raise ValidationFailed("报告内容格式不正确", fields={"payload": ["不是 JSON"]}) from None
        if not isinstance(payload, dict):
            raise ValidationFailed("报告内容格式不正确", fields={"payload": ["须为对象"]})
        report, created = field.sync(request.user, payload, request.FILES.getlist("photos"))
    except ServiceError as exc:
        return _error(exc)
    return JsonResponse(_report_json(report, created), status=201 if created else 200,
                        json_dumps_params={"ensure_ascii": False})


@never_cache
@login_required
def inbox(request):
    """Open tasks within the user's scope and the warnings in force over the user's area."""
    user = request.user
    tasks = scope.visible(Task.objects.filter(state__in=OPEN_TASK_STATES), user).order_by("-issued_at")[:50]
    county = user.region_code[:6].ljust(12, "0")
    warnings = [w for w in active_warnings()
                if not w.area_codes or any(divcodes.is_within(county, c) or divcodes.is_within(c, county)
                                           for c in w.area_codes)]
    return JsonResponse({
        "tasks": [{"id": t.pk, "title": t.title, "unit": t.unit_name, "state": t.get_state_display(), "version": t.version,
                   "due": timezone.localtime(t.due_at).strftime("%Y-%m-%d %H:%M") if t.due_at else ""} for t in tasks],
        "warnings": [{"id": w.pk, "title": w.title, "level": w.get_level_display(), "instruction": w.instruction,
                      "expires": timezone.localtime(w.expires).strftime("%Y-%m-%d %H:%M")} for w in warnings[:20]],
        "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }, json_dumps_params={"ensure_ascii": False})
