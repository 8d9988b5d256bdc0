"""Command pages: the command console, the incident command page (plan proposal, activation,
tasks, dispatch with routes on a map), road closures, and the after-action summary."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yingji.core import scope
from yingji.core.errors import ServiceError, ValidationFailed
from yingji.core.views import service_view
from yingji.incidents.selectors import visible_incidents
from yingji.resources.models import TEAM_SPECIALTIES
from yingji.rules.task_lifecycle import TASK_LIFECYCLE

from . import dispatch as dispatching
from . import hierarchies, network, plans, responses, routing
from .models import Dispatch, Response, RoadClosure
from .models.plans import LEVEL_CHOICES
from .serializers import closure_json, dispatch_json
from .summary import after_action_docx


def _back(request, url: str, action):
    """Run ``action``, show its message (or the error), and redirect to ``url`` (a path or a URL name)."""
    try:
        message = action()
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect(url)


@service_view
def console(request):
    user = request.user
    incidents = list(visible_incidents(user).exclude(state="closed").order_by("grade_level", "-received_at")[:100])
    active = {r.incident_id: r for r in scope.visible(Response.objects.filter(state="active").select_related("plan"), user)}
    rows = [(i, active.get(i.pk)) for i in incidents]
    return render(request, "command/console.html", {"rows": rows, "responses": list(active.values())})


# The team specialty proposed first for an incident type (the commander may pick 全部专业).
SPECIALTY_FOR_TYPE = {
    "accident.hazchem": "危化", "accident.coal_mine": "矿山", "accident.non_coal_mine": "矿山",
    "natural.flood": "防汛抗旱", "natural.drought": "防汛抗旱", "natural.forest_grassland_fire": "森林草原防灭火",
    "natural.earthquake": "地震地质", "natural.geological": "地震地质", "accident.grid_blackout": "电力",
    "accident.utilities": "燃气", "accident.communications": "通信", "accident.highway": "道路抢通",
}


def _nearest_teams(user, incident, specialty: str = "") -> tuple[list, str]:
    if incident.lon is None:
        return [], "事件没有坐标，无法计算就近资源"
    try:
        return routing.nearest(user, incident.lon, incident.lat, "teams", k=5, specialty=specialty)["results"], ""
    except ServiceError as exc:
        return [], exc.message


@service_view
def incident_page(request, pk):
    user = request.user
    incident = responses.get_incident(user, pk)
    response = responses.active_response(incident)
    history = list(incident.responses.select_related("plan").order_by("-activated_at"))
    proposals = []
    try:
        proposals = plans.propose(user, incident.type_code, incident.grade_level, incident.division_code)
    except ServiceError as exc:
        messages.error(request, exc.message)
    default_filter = "specialty" not in request.GET
    specialty = request.GET["specialty"] if not default_filter else SPECIALTY_FOR_TYPE.get(incident.type_code, "")
    nearest, nearest_error = _nearest_teams(user, incident, specialty)
    # Say when the (default) specialty filter hides a team of another specialty that is nearer.
    nearer_other = None
    if specialty and not nearest_error:
        anyone, _ = _nearest_teams(user, incident, "")
        best = next((r for r in nearest if r.get("reachable")), None)
        first = next((r for r in anyone if r.get("reachable")), None)
        if first and (best is None or first["minutes"] < best["minutes"]) and first["id"] not in {r["id"] for r in nearest}:
            nearer_other = first
    can_dispatch_nearest = any(r.get("reachable") for r in nearest)
    dispatches = list(Dispatch.objects.filter(incident=incident).select_related("team", "expert", "warehouse", "material"))
    tasks = list(response.tasks.all()) if response else []
    map_data = {
        "incident": {"lon": incident.lon, "lat": incident.lat, "name": incident.title},
        "dispatches": [dispatch_json(d) for d in dispatches if d.state in ("en_route", "on_scene")],
        "nearest": [{k: r[k] for k in ("id", "name", "lon", "lat", "minutes", "route")} for r in nearest[:5]],
    }
    return render(request, "command/incident.html", {
        "incident": incident, "response": response, "history": history, "proposals": proposals,
        "all_plans": plans.Plan.objects.filter(is_active=True).order_by("kind", "name"),
        "levels": LEVEL_CHOICES, "tasks": [(t, TASK_LIFECYCLE.allowed_actions(t.state, [user.role])) for t in tasks],
        "dispatches": dispatches, "nearest": nearest, "nearest_error": nearest_error, "specialty": specialty,
        "default_filter": default_filter, "nearer_other": nearer_other, "can_dispatch_nearest": can_dispatch_nearest,
        "specialties": TEAM_SPECIALTIES, "map_data": map_data,
        "events": list(response.events.all()) if response else [],
    })


@service_view
@require_POST
def activate(request, pk):
    incident = responses.get_incident(request.user, pk)
    data = request.POST
    return _back(request, reverse("command-incident", args=[pk]), lambda: f"已启动：{responses.activate(request.user, incident, data.get('plan'), data.get('level'), data.get('reason', ''))}")


@service_view
@require_POST
def response_action(request, pk):
    response = responses.get_response(request.user, pk)
    data = request.POST
    url = reverse("command-incident", args=[response.incident_id])
    action = data.get("action")
    if action == "level":
        return _back(request, url, lambda: f"已调整为{responses.change_level(request.user, response, data.get('level'), data.get('reason', '')).level_label}")
    if action == "stand_down":
        return _back(request, url, lambda: f"已终止响应：{responses.stand_down(request.user, response, data.get('reason', ''))}")
    if action == "task":
        return _back(request, url, lambda: f"已下达任务：{responses.new_task(request.user, response, data.get('unit_name', ''), data.get('title', ''))}")
    if action == "dispatch_nearest":
        def go():
            d = dispatching.dispatch_nearest_team(request.user, response, data.get("specialty", ""))
            return f"已调派{d.team}，预计 {round((d.route_seconds or 0) / 60)} 分钟到达"
        return _back(request, url, go)
    if action == "dispatch_team":
        return _back(request, url, lambda: f"已调派{dispatching.dispatch_team(request.user, response, data.get('team'), consent=data.get('consent', '')).team}")
    messages.error(request, "未知操作")
    return redirect(url)


@service_view
@require_POST
def task_action(request, pk):
    task = responses.get_task(request.user, pk)
    data = request.POST
    upload = request.FILES.get("attachment")
    if data.get("action") == "note":
        return _back(request, reverse("command-incident", args=[task.incident_id]) + "#tasks",
                     lambda: f"已记录：{responses.add_task_note(request.user, task, data.get('note', ''), upload).text[:20]}")
    return _back(request, reverse("command-incident", args=[task.incident_id]) + "#tasks",
                 lambda: f"{responses.transition_task(request.user, task, data.get('action', ''), data.get('note', ''), upload, expected_version=data.get('version') or None).unit_name}：{TASK_LIFECYCLE.label(task.state)} → 已更新")


@service_view
@require_POST
def dispatch_state(request, pk):
    d = dispatching.get_dispatch(request.user, pk)
    return _back(request, reverse("command-incident", args=[d.incident_id]),
                 lambda: f"{dispatching.set_state(request.user, d, request.POST.get('state', '')).get_state_display()}")


@service_view
def roads(request):
    user = request.user
    try:
        net = network.active_network()
        indexes = hierarchies.status(net)
    except ServiceError as exc:
        return render(request, "command/roads.html", {"error": exc.message})
    closures = scope.visible(RoadClosure.objects.filter(network=net), user).order_by("-closed_at")[:200]
    return render(request, "command/roads.html", {"net": net, "closures": closures, "hierarchies": indexes,
                                                  "hierarchies_ready": all(h["ready"] for h in indexes),
                                                  "closure_data": [closure_json(c) for c in closures if c.active]})


@service_view
@require_POST
def close_road(request):
    data = request.POST
    def go():
        try:
            lon, lat = float(data.get("lon")), float(data.get("lat"))
        except (TypeError, ValueError):
            raise ValidationFailed("请先在地图上点选要封闭的路段")
        closure = network.close_road(request.user, reason=data.get("reason", ""), lon=lon, lat=lat,
                                     scope_kind=data.get("scope", "segment"))
        return f"已封闭：{closure.road_label}（下一次路径查询起生效）"
    return _back(request, "command-roads", go)


@service_view
@require_POST
def reopen_road(request, pk):
    closure = RoadClosure.objects.filter(pk=pk).first()
    if closure is None:
        messages.error(request, "封闭记录不存在")
        return redirect("command-roads")
    scope.check_can_see(closure, request.user)
    return _back(request, "command-roads", lambda: f"已恢复通行：{network.reopen_road(request.user, closure, request.POST.get('note', '')).road_label}")


@service_view
def summary_docx(request, pk):
    incident = responses.get_incident(request.user, pk)
    content = after_action_docx(request.user, incident)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f"attachment; filename=\"after-action-{incident.pk}.docx\""
    return response
