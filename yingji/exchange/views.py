"""Console pages of the exchange: the links (a child's parent with its pending queue, a parent's
children with their connection state), the records received and one record with its stages and
deadlines. Thin: services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from yingji.core import capabilities, scope
from yingji.core.errors import ServiceError
from yingji.core.views import service_view
from yingji.geo import divcodes
from yingji.regions.models import Division

from . import selectors, services
from .kinds import LABELS, UP
from .models import ChildLink


def _counties(user):
    code = divcodes.normalise(user.region_code)
    return list(Division.objects.filter(parent_id=code).order_by("code").values_list("code", "name"))


@service_view
def links(request, error: str = "", status: int = 200, credential: str = "", issued=None):
    user = request.user
    capabilities.require(user, "exchange.view")
    may = user.can("exchange.manage")
    return render(request, "exchange/links.html", {
        "parent": selectors.parent_row(), "children": selectors.children(user),
        "queue": selectors.queue(user)[:200], "may": may, "counties": _counties(user) if may else [],
        "error": error, "credential": credential, "issued": issued, "labels": LABELS,
    }, status=status)


def _again(request, exc: ServiceError):
    return links.__wrapped__(request, error=exc.message, status=exc.status)


@service_view
@require_POST
def issue(request):
    try:
        link, credential = services.issue_child(request.user, request.POST.get("name", ""),
                                                request.POST.get("division_code", ""))
    except ServiceError as exc:
        return _again(request, exc)
    return links.__wrapped__(request, credential=credential, issued=link)


@service_view
@require_POST
def toggle(request, pk):
    try:
        link = scope.get_visible(ChildLink.objects.all(), pk, request.user, "下级平台")
        services.set_child_active(request.user, link, not link.active)
    except ServiceError as exc:
        return _again(request, exc)
    messages.success(request, "已更新下级平台凭据状态")
    return redirect("exchange:links")


@service_view
@require_POST
def connect(request):
    post = request.POST
    try:
        services.configure_parent(request.user, post.get("name", ""), post.get("url", ""), post.get("credential", ""))
    except ServiceError as exc:
        return _again(request, exc)
    messages.success(request, "已配置上级平台，待上报的消息将自动发送")
    return redirect("exchange:links")


@service_view
@require_POST
def sync_now(request):
    try:
        services.sync_now(request.user)
    except ServiceError as exc:
        return _again(request, exc)
    messages.success(request, "已安排立即同步")
    return redirect("exchange:links")


@service_view
def received(request):
    user = request.user
    capabilities.require(user, "exchange.view")
    kind = request.GET.get("kind", "")
    if kind not in LABELS:
        kind = ""
    return render(request, "exchange/received.html", {
        "rows": selectors.received_rows(user, kind), "kind": kind, "labels": LABELS})


def _times(body: dict) -> dict:
    """ISO times of a received body as datetimes for the template (shown in Beijing time)."""
    out = dict(body)
    for key in ("received_at", "occurred_at", "sent", "expires", "issued_at", "report_at"):
        if isinstance(out.get(key), str):
            out[key] = parse_datetime(out[key])
    for listed in ("reports", "deadlines"):
        rows = []
        for row in out.get(listed) or []:
            row = dict(row)
            for key in ("report_at", "due_at", "done_at"):
                if isinstance(row.get(key), str):
                    row[key] = parse_datetime(row[key])
            rows.append(row)
        out[listed] = rows
    return out


@service_view
def record(request, pk, error: str = "", status: int = 200):
    user = request.user
    capabilities.require(user, "exchange.view")
    rec = selectors.received(user, pk)
    body = _times(rec.body or {})
    now = timezone.now()
    for row in body.get("deadlines", []):
        row["overdue_now"] = row.get("status") == "pending" and row.get("due_at") and row["due_at"] < now
    return render(request, "exchange/record.html", {
        "rec": rec, "body": body, "kind_label": LABELS.get(rec.kind, rec.kind), "error": error,
        "may_instruct": user.can("exchange.manage") and rec.direction == UP,
        "instructions": rec.instructions.all(), "now": now,
    }, status=status)


@service_view
@require_POST
def instruct(request, pk):
    user = request.user
    rec = selectors.received(user, pk)
    try:
        services.issue_instruction(user, rec.division_code, request.POST.get("leader", ""),
                                   request.POST.get("text", ""), about=rec)
    except ServiceError as exc:
        return record.__wrapped__(request, pk, error=exc.message, status=exc.status)
    messages.success(request, "批示已登记，将下发至下级平台")
    return redirect("exchange:record", pk=pk)
