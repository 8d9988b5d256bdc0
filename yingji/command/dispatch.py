"""Dispatch orders: teams and experts to the scene (with the road route), materials from a
warehouse (an 出库 or 调拨 line in the resources ledger through ``record_movement``), and the
dispatched team's status: en route → on scene → returned.

The team's own readiness (``RescueTeam.readiness``) is set to 执行任务 on dispatch and back to
待命 on return through ``yingji.core.records.update_record`` when the user's role may edit
teams; otherwise the dispatch record alone carries the status (a team with an open dispatch is
never proposed again)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from yingji.core import records, scope
from yingji.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from yingji.core.records import update_record
from yingji.live.services import publish
from yingji.resources.models import Expert, Material, RescueTeam, Warehouse
from yingji.resources.stock import record_movement
from yingji.core.records import audited_transaction

from . import routing
from .targets import busy_team_ids
from .models import Dispatch, Response
from .responses import _actor_name, _locked, _timeline

TEAM_FLOW = {"en_route": {"on_scene"}, "on_scene": {"returned"}}
MATERIAL_FLOW = {"en_route": {"delivered"}}
STATE_TIME = {"on_scene": "arrived_at", "delivered": "arrived_at", "returned": "returned_at"}


def _route_to_scene(origin, incident) -> dict:
    if incident.lon is None:
        return {"seconds": None, "metres": None, "route": []}
    return routing.route_between(origin, (incident.lon, incident.lat), profile=routing.DISPATCH_PROFILE)


def _set_readiness(user, team, value: str, note: str) -> bool:
    try:
        scope.check_can_write(type(team), user, team.division_code)
    except Forbidden:
        return False
    update_record(user, team, {"readiness": value}, note=note)
    return True


def needs_consent(team: RescueTeam) -> bool:
    """A social emergency force is called with its consent (突发事件应对法 2024 第四十条: the state
    encourages social rescue teams, which then obey the unified command; 志愿服务条例 第二十五条:
    nobody may be forced to serve), so the dispatch records who agreed, when and how."""
    return team.category == "social"


def dispatch_team(user, response: Response, team_id, note: str = "", consent: str = "") -> Dispatch:
    team = RescueTeam.objects.filter(pk=team_id).first()
    if team is None:
        raise NotFound(f"救援队伍（编号 {team_id}）不存在")
    scope.check_can_see(team, user)
    consent = (consent or "").strip()
    if needs_consent(team) and not consent:
        raise ValidationFailed(f"{team.name}是社会应急力量，调用前须征得其同意：请填写同意人、时间和方式",
                               code="consent_required", fields={"consent": ["必填"]})
    if team.pk in busy_team_ids():
        raise Conflict(f"{team.name}正在执行调度任务，未归队前不能重复调派")
    if team.lon is None:
        raise ValidationFailed(f"{team.name}没有驻地坐标，无法计算路线", fields={"team": ["无坐标"]})
    with audited_transaction():
        current = _locked(user, response)
        route = _route_to_scene((team.lon, team.lat), current.incident)
        dispatch = records.create_record(user, Dispatch, {"team": team}, server=dict(
            response=current, incident=current.incident, kind="team", state="en_route",
            route_seconds=route["seconds"], route_metres=route["metres"], route=route["route"],
            dest_lon=current.incident.lon, dest_lat=current.incident.lat, destination=current.incident.address or current.incident.title,
            note=note[:200], signer=_actor_name(user), division_code=current.division_code, consent=consent[:200],
            is_synthetic=current.is_synthetic), parent=current, validate=False,
            note=f"调派{team.name}" + (f"（同意情况：{consent[:100]}）" if consent else ""))
        _set_readiness(user, team, "on_mission", f"调度：赶赴{current.incident.title}")
        eta = f"，预计 {route['seconds'] / 60:.0f} 分钟到达" if route["seconds"] else ""
        agreed = f"（已征得同意：{consent[:100]}）" if consent else ""
        _timeline(current.incident, f"调派{team.name}赶赴现场{eta}{agreed}", user, {"dispatch": dispatch.pk})
        publish("tasks", "dispatch", {"incident": current.incident_id, "dispatch": dispatch.pk,
                                      "text": f"调派{team.name}{eta}"}, current.division_code)
    return dispatch


def dispatch_nearest_team(user, response: Response, specialty: str = "", note: str = "") -> Dispatch:
    incident = response.incident
    if incident.lon is None:
        raise ValidationFailed("事件没有坐标，无法就近调派", fields={"incident": ["无坐标"]})
    found = routing.nearest(user, incident.lon, incident.lat, "teams", k=5, specialty=specialty, with_routes=False)
    # a social force is never sent without its consent, so "nearest" picks among the others
    reachable = [r for r in found["results"] if r["reachable"] and r.get("category") != "social"]
    if not reachable:
        what = f"“{specialty}”专业的" if specialty else ""
        raise NotFound(f"管辖范围内没有可调派的{what}待命队伍（或道路封闭无法到达）")
    return dispatch_team(user, response, reachable[0]["id"], note)


def dispatch_expert(user, response: Response, expert_id, note: str = "") -> Dispatch:
    expert = Expert.objects.filter(pk=expert_id).first()
    if expert is None:
        raise NotFound(f"专家（编号 {expert_id}）不存在")
    scope.check_can_see(expert, user)
    with audited_transaction():
        current = _locked(user, response)
        dispatch = records.create_record(user, Dispatch, {"expert": expert}, server=dict(
            response=current, incident=current.incident, kind="expert", state="en_route",
            dest_lon=current.incident.lon, dest_lat=current.incident.lat, note=note[:200], signer=_actor_name(user),
            division_code=current.division_code, is_synthetic=current.is_synthetic),
            parent=current, validate=False, note=f"邀请专家{expert.name}")
        _timeline(current.incident, f"邀请专家{expert.name}（{expert.get_category_display()}）赶赴现场会商", user,
                  {"dispatch": dispatch.pk})
    return dispatch


def dispatch_material(user, response: Response, *, warehouse_id, material_id, quantity, signer: str,
                      to_warehouse_id=None, destination: str = "", note: str = "") -> Dispatch:
    """Send materials: an 出库 (to the scene / a demand point) or a 调拨 (to another warehouse)
    recorded in the resources ledger; the stock check and FEFO batches are theirs."""

    warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
    material = Material.objects.filter(pk=material_id).first()
    if warehouse is None or material is None:
        raise NotFound("储备库或物资不存在")
    with audited_transaction():
        current = _locked(user, response)
        incident = current.incident
        reference = f"事件#{incident.pk} 响应#{current.pk}"
        lines = record_movement(
            user, warehouse=warehouse, material=material, kind="transfer" if to_warehouse_id else "out",
            quantity=quantity, signer=signer, other_warehouse=to_warehouse_id or None,
            counterparty=(destination or incident.title)[:100], reference=reference[:100],
            note=(note or f"应急调度：{incident.title}")[:200])
        dest = (incident.lon, incident.lat)
        if to_warehouse_id:
            target = Warehouse.objects.get(pk=to_warehouse_id)
            dest, destination = (target.lon, target.lat), destination or target.name
        route = routing.route_between((warehouse.lon, warehouse.lat), dest, profile=routing.DISPATCH_PROFILE) if warehouse.lon is not None and dest[0] is not None \
            else {"seconds": None, "metres": None, "route": []}
        dispatch = records.create_record(user, Dispatch, {}, server=dict(
            response=current, incident=incident, kind="material", warehouse=warehouse, material=material,
            quantity=Decimal(str(quantity)), movement_ids=[line.pk for line in lines], state="en_route",
            destination=(destination or incident.address or incident.title)[:200], dest_lon=dest[0], dest_lat=dest[1],
            route_seconds=route["seconds"], route_metres=route["metres"], route=route["route"], signer=signer[:40],
            note=note[:200], division_code=current.division_code, is_synthetic=current.is_synthetic),
            parent=current, validate=False, note=f"调运{material.name} {quantity}{material.unit}（{warehouse.name}）")
        _timeline(incident, f"从{warehouse.name}调运{material.name} {quantity}{material.unit}至{dispatch.destination}", user,
                  {"dispatch": dispatch.pk})
    return dispatch


def set_state(user, dispatch: Dispatch, state: str, note: str = "") -> Dispatch:
    """Team: en route → on scene → returned. Material: en route → delivered."""
    scope.check_can_see(dispatch, user)
    scope.check_can_write(Dispatch, user, dispatch.division_code)
    labels = dict(Dispatch.STATES)
    with audited_transaction():
        current = Dispatch.objects.select_for_update(of=("self",)).select_related("team", "incident").get(pk=dispatch.pk)
        flow = MATERIAL_FLOW if current.kind == "material" else TEAM_FLOW
        if state not in flow.get(current.state, set()):
            allowed = "、".join(labels[s] for s in flow.get(current.state, set())) or "无"
            raise ValidationFailed(f"当前状态为“{labels[current.state]}”，不能改为“{labels.get(state, state)}”（可选：{allowed}）",
                                   code="illegal_transition", fields={"state": ["不允许的状态变化"]})
        current = records.change(user, current, lock=False, audit_action="transition",
                                 note=f"{labels[state]}" + (f"：{note}" if note else ""),
                                 state=state, **{STATE_TIME[state]: timezone.now()})
        if state == "returned" and current.team is not None:
            _set_readiness(user, current.team, "standby", "调度：归队待命")
        who = current.team or current.expert or current.material
        _timeline(current.incident, f"{who}{labels[state]}" + (f"：{note}" if note else ""), user, {"dispatch": current.pk})
        publish("tasks", "dispatch", {"incident": current.incident_id, "dispatch": current.pk, "state": state,
                                      "text": f"{who}{labels[state]}"}, current.division_code)
    return current


def get_dispatch(user, pk) -> Dispatch:
    dispatch = Dispatch.objects.select_related("team", "expert", "warehouse", "material").filter(pk=pk).first()
    if dispatch is None:
        raise NotFound(f"调度指令（编号 {pk}）不存在")
    scope.check_can_see(dispatch, user)
    return dispatch
