"""Console pages of the warning release (thin: services write, selectors read)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yingji.audit.services import history_of
from yingji.core import capabilities, scope
from yingji.core.errors import NotFound, ServiceError
from yingji.core.views import render_error, service_view
from yingji.regions.services import visible_divisions
from yingji.rules import warning_workflow as wf
from yingji.rules.sms import sms_segment_count

from . import batches, capdoc, imported_display, imports, selectors, services
from .imports import document_bytes
from .forms import WarningForm, initial_for
from .models import CHANNELS, CapImport, ChannelConfig, Delivery, ImportedAlert

STATE_TABS = [("", "全部"), ("open", "待办"), (wf.PUBLISHED, "已发布"), (wf.DRAFT, "草稿"), (wf.RETURNED, "已退回"),
              (wf.LIFTED, "已解除"), (wf.SUPERSEDED, "已被更新")]


def _divisions(user):
    return visible_divisions(user).filter(level__in=["city", "county", "township"]).order_by("code")


@service_view
def warning_list(request):
    qs = selectors.visible_warnings(request.user).order_by("-updated_at", "-id")
    state = request.GET.get("state", "")
    if state == "open":
        qs = qs.filter(state__in=[wf.REVIEWING, wf.SIGNING, wf.SIGNED])
    elif state:
        qs = qs.filter(state=state)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "warnings/list.html", {"page": page, "tabs": STATE_TABS, "state": state,
                                                   "query": f"state={state}"})


def _form_page(request, form, warning=None, error=""):
    segments = None
    signature = (ChannelConfig.objects.filter(channel="sms").values_list("signature", flat=True).first() or "")
    if warning is not None:
        segments = sms_segment_count(capdoc.sms_text_of(warning, signature))
    return render(request, "warnings/form.html", {"form": form, "warning": warning, "error": error,
                                                   "sms_segments": segments, "signature": signature},
                  status=400 if error else 200)


@service_view
def warning_create(request):
    form = WarningForm(request.POST or None, initial=initial_for(None, request.user), divisions=_divisions(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            warning = services.create_warning(request.user, form.service_data())
        except ServiceError as exc:
            return _form_page(request, form, error=exc.message)
        messages.success(request, "预警草稿已保存")
        return redirect("warnings:detail", pk=warning.pk)
    return _form_page(request, form, error="请检查标红的字段" if form.errors else "")


@service_view
def warning_edit(request, pk):
    warning = services.get_warning(request.user, pk)
    form = WarningForm(request.POST or None, initial=initial_for(warning), divisions=_divisions(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            warning = services.update_warning(request.user, warning, form.service_data(),
                                              expected_version=request.POST.get("version"))
        except ServiceError as exc:
            return _form_page(request, form, warning, exc.message)
        messages.success(request, "已保存")
        return redirect("warnings:detail", pk=warning.pk)
    return _form_page(request, form, warning, "请检查标红的字段" if form.errors else "")


@service_view
def warning_detail(request, pk):
    warning = services.get_warning(request.user, pk)
    preview_problems = []
    if not warning.cap_xml:
        preview_problems = capdoc.problems_of(warning, timezone.now())
    counts = selectors.coverage(warning) if warning.sent else None
    return render(request, "warnings/detail.html", {
        "w": warning, "actions": services.available_actions(request.user, warning),
        "log": warning.actions.all(), "history": history_of(warning)[:30], "coverage": counts,
        "preview_problems": preview_problems, "successors": warning.successors.all(),
        "editable": warning.state in wf.EDITABLE_STATES and request.user.can("warnings.draft"), "derived_kinds": wf.DERIVED_KINDS,
        "can_derive": warning.state == wf.PUBLISHED and warning.kind != "lift" and request.user.can("warnings.draft"),
        "pending": selectors.unsent_count(warning) if request.user.can("warnings.draft") else 0,
    })


@service_view
@require_POST
def warning_act(request, pk):
    warning = services.get_warning(request.user, pk)
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "").strip()
    try:
        if action == "stop":
            count = services.stop_deliveries(request.user, warning, comment)
            messages.success(request, f"已停止发送，取消 {count} 条未发送的消息")
        else:
            warning = services.transition(request.user, warning, action, comment)
            messages.success(request, f"操作成功：预警当前状态为“{warning.state_label}”")
            if action == "publish":
                _publish_notes(request, warning)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("warnings:detail", pk=pk)


def _publish_notes(request, warning) -> None:
    """Right after publishing: say where the delivery list stands and which channels will not send."""
    state = warning.dissemination or {}
    targeting = state.get("targeting") or {}
    if targeting.get("mode") == "background":
        messages.info(request, f"预警区域内约有 {targeting.get('estimate', 0):,} 名公众订阅用户，投递名单正在后台生成，"
                               "进度见下方，生成的同时即开始发送")
    labels = dict(CHANNELS)
    for channel, reason in (state.get("skipped") or {}).items():
        messages.error(request, f"{labels.get(channel, channel)}未发送：{reason}")


@service_view
@require_POST
def warning_derive(request, pk):
    warning = services.get_warning(request.user, pk)
    kind = request.POST.get("kind", "")
    changes = {}
    if kind in ("upgrade", "downgrade") and request.POST.get("level"):
        changes["level"] = int(request.POST["level"])
    try:
        derived = services.derive_warning(request.user, warning, kind, changes)
    except (ServiceError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("warnings:detail", pk=pk)
    messages.success(request, f"已生成{derived.get_kind_display()}草稿，请修改内容后提交审核")
    return redirect("warnings:edit", pk=derived.pk)


@service_view
def warning_cap(request, pk):
    warning = services.get_warning(request.user, pk)
    if not warning.cap_xml:
        return render_error(request, 404, "该预警尚未发布，没有 CAP 报文")
    return HttpResponse(warning.cap_xml, content_type="application/cap+xml; charset=utf-8")


@service_view
def warning_coverage(request, pk):
    warning = services.get_warning(request.user, pk)
    deliveries = Delivery.objects.filter(warning=warning).exclude(status__in=["sent", "delivered"]).order_by("id")
    status = request.GET.get("status")
    if status:
        deliveries = Delivery.objects.filter(warning=warning, status=status).order_by("id")
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    listed = sum(row["n"] for row in batches.unsent(warning.pk) if row["status"] == "queued")
    return render(request, "warnings/coverage.html", {"w": warning, "c": selectors.coverage(warning), "page": page,
                                                       "listed": listed, "query": f"status={status or ''}"})


@service_view
def imports_page(request):
    result = None
    if request.method == "POST":
        capabilities.require(request.user, "warnings.cap_import", "您的角色无权接收外部 CAP 预警")
        upload = request.FILES.get("file")
        raw = upload.read() if upload else request.POST.get("xml", "").encode("utf-8")
        if not raw.strip():
            messages.error(request, "请选择 CAP 文件或粘贴 CAP 报文")
        else:
            result = imports.import_cap(raw, source="upload", source_name=upload.name if upload else "粘贴", user=request.user)
            if result.decision == "reject":
                messages.error(request, "已拒收：" + "；".join(result.reasons))
            else:
                messages.success(request, f"{result.get_decision_display()}：新增 {result.new_alerts} 条，重复 {result.duplicate_alerts} 条")
            return redirect("warnings:imports")
    page = Paginator(selectors.visible_imports(request.user, CapImport.objects.all().defer("raw")), 20).get_page(
        request.GET.get("page"))
    alerts = selectors.visible_imported(request.user, selectors.active_imported())[:50]
    return render(request, "warnings/imports.html", {"page": page, "alerts": alerts, "result": result, "query": ""})


@service_view
def imported_detail(request, pk):
    alert = selectors.visible_imported(request.user, ImportedAlert.objects.select_related("cap_import", "updates")
                                       ).filter(pk=pk).first()
    if alert is None:
        raise NotFound("外部预警不存在")
    return render(request, "warnings/imported.html", {"a": alert, "followups": alert.followups.all(),
                                                      "view": imported_display.alert_view(alert)})


@service_view
def imported_cap(request, pk):
    """The imported alert exactly as it was received (CAP XML)."""
    alert = selectors.visible_imported(request.user).filter(pk=pk).exclude(cap_xml="").first()
    if alert is None:
        raise NotFound("外部预警不存在或没有保存原文")
    response = HttpResponse(document_bytes(alert.cap_xml), content_type="application/cap+xml")
    response["Content-Disposition"] = f'attachment; filename="imported-{alert.pk}.xml"'
    return response


@service_view
def notices(request):
    rows = (Delivery.objects.filter(channel="inapp", recipient_kind="official", recipient_id=request.user.pk)
            .select_related("warning").order_by("-id"))
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    for delivery in page:
        # A warning of another bureau reaches people it is not filed with: they read it on the
        # public page (while it is in force) or here, never through a link that answers 403.
        delivery.visible = scope.is_visible(delivery.warning, request.user)
    return render(request, "warnings/notices.html", {"page": page, "query": ""})


@service_view
def map_geojson(request):
    return JsonResponse(selectors.map_features(request.user))

