"""Response activation, level change, stand-down, the task lifecycle and dispatching."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.command.conftest import INCIDENT_POINT, expected_route_seconds
from tests.conftest import CITY


@pytest.fixture
def hazchem_plan(demo_plans):
    from yingji.command.models import Plan

    return next(p for p in Plan.objects.filter(kind="special") if "accident.hazchem" in p.event_types)


@pytest.fixture
def response(commander, make_incident, hazchem_plan, road_network):
    from yingji.command import responses

    incident = make_incident()
    return responses.activate(commander, incident, hazchem_plan.pk, 3, "较大泄漏，启动Ⅲ级")


# ---------------------------------------------------------------- activation
def test_activation_proposes_turns_actions_into_tasks_and_records_everywhere(commander, make_incident, hazchem_plan,
                                                                              road_network, api_client):
    from yingji.audit.models import AuditEntry
    from yingji.command.models import PlanLevel, Task
    from yingji.incidents.models import TimelineEntry

    incident = make_incident(grade=3)
    client = api_client(commander)
    match = client.get("/api/v1/plans/match", {"type_code": incident.type_code, "grade": 3,
                                               "division_code": incident.division_code}).json()["proposals"][0]
    assert match["plan_id"] == hazchem_plan.pk and match["level"] == 3
    created = client.post("/api/v1/responses/", {"incident_id": incident.pk, "plan_id": match["plan_id"],
                                                 "level": match["level"], "reason": "较大事件"},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    actions = PlanLevel.objects.get(plan=hazchem_plan, level=3).actions.count()
    assert len(body["tasks"]) == actions == Task.objects.filter(incident=incident).count()
    assert all(t["state"] == "issued" for t in body["tasks"])
    assert body["events"][0]["kind"] == "activate" and body["proposed_level"] == 3
    assert TimelineEntry.objects.filter(incident=incident, text__contains="启动").exists()
    assert AuditEntry.objects.filter(model="command.Response", action="transition").count() == 1
    again = client.post("/api/v1/responses/", {"incident_id": incident.pk, "plan_id": hazchem_plan.pk, "level": 2},
                        content_type="application/json")
    assert again.status_code == 409


def test_level_raise_adds_tasks_and_stand_down_cancels_open_ones(commander, response):
    from yingji.command import responses
    from yingji.command.models import PlanLevel

    before = response.tasks.count()
    raised = responses.change_level(commander, response, 2, "出现人员死亡，事态扩大")
    level2 = PlanLevel.objects.get(plan=response.plan, level=2).actions.count()
    assert raised.level == 2 and raised.tasks.count() == level2 > before
    with pytest.raises(Exception, match="调整理由"):
        responses.change_level(commander, raised, 1, "")
    task = raised.tasks.first()
    responses.transition_task(commander, task, "accept")
    ended = responses.stand_down(commander, raised, "险情排除")
    assert ended.state == "ended"
    assert set(ended.tasks.values_list("state", flat=True)) == {"cancelled"}
    assert [e.kind for e in ended.events.all()] == ["activate", "change_level", "stand_down"]
    with pytest.raises(Exception, match="已于"):
        responses.change_level(commander, ended, 1, "再次调整")


# ---------------------------------------------------------------- task lifecycle, every transition
ALL_STATES = ["issued", "accepted", "in_progress", "done", "cancelled"]
ALLOWED = {("accept", "issued"): "accepted", ("start", "accepted"): "in_progress",
           ("complete", "in_progress"): "done", ("cancel", "issued"): "cancelled",
           ("cancel", "accepted"): "cancelled", ("cancel", "in_progress"): "cancelled"}


@pytest.mark.parametrize("action", ["accept", "start", "complete", "cancel"])
@pytest.mark.parametrize("state", ALL_STATES)
def test_task_lifecycle_every_transition(commander, response, action, state):
    from yingji.command import responses
    from yingji.command.models import Task

    task = response.tasks.first()
    Task.objects.filter(pk=task.pk).update(state=state)
    task.refresh_from_db()
    if (action, state) in ALLOWED:
        done = responses.transition_task(commander, task, action, note="处置完毕")
        assert done.state == ALLOWED[(action, state)]
        assert done.notes.last().text == "处置完毕"
    else:
        with pytest.raises(Exception, match="不能执行"):
            responses.transition_task(commander, task, action, note="处置完毕")
        task.refresh_from_db()
        assert task.state == state


def test_task_guards_roles_and_times(commander, response, make_user):
    from yingji.command import responses

    task = response.tasks.first()
    duty = make_user("duty9", "duty_officer", CITY)
    viewer = make_user("view9", "readonly", CITY)
    with pytest.raises(Exception, match="无权"):
        responses.transition_task(viewer, task, "accept")
    task = responses.transition_task(duty, task, "accept")
    task = responses.transition_task(duty, task, "start")
    with pytest.raises(Exception, match="处置结果"):
        responses.transition_task(duty, task, "complete", note=" ")
    task = responses.transition_task(duty, task, "complete", note="堵漏完成")
    assert task.accepted_at <= task.started_at <= task.done_at and task.result == "堵漏完成"
    other = response.tasks.exclude(pk=task.pk).first()
    with pytest.raises(Exception, match="无权"):
        responses.transition_task(duty, other, "cancel", note="重复")  # cancelling is for commanders


# ---------------------------------------------------------------- dispatching teams and materials
def test_dispatch_nearest_team_by_road_time_with_route_and_status(commander, response, make_team, api_client):
    from yingji.command import network

    near_straight = make_team("直线最近队（示例）", (121.84, 42.13))
    others = [make_team("一号危化队（示例）", (121.70, 42.05)), make_team("二号危化队（示例）", (121.95, 42.20)),
              make_team("彰武危化队（示例）", (122.40, 42.45), division="210922000000"),
              make_team("防汛队（示例）", (121.81, 42.11), specialties="防汛抗旱")]
    teams = [near_straight] + others[:3]
    graph = network.graph_for()
    expected = {t.pk: expected_route_seconds(graph, (t.lon, t.lat), INCIDENT_POINT, "emergency") for t in teams}
    client = api_client(commander)
    sent = client.post(f"/api/v1/responses/{response.pk}/dispatch/team", {"nearest": True, "specialty": "危化"},
                       content_type="application/json")
    assert sent.status_code == 201, sent.content
    d = sent.json()
    assert d["team_id"] == min(expected, key=expected.get)
    assert d["route_seconds"] == pytest.approx(expected[d["team_id"]], abs=0.5)
    assert d["route"][-1] == [INCIDENT_POINT[0], INCIDENT_POINT[1]] and d["state"] == "en_route"
    # the dispatched team is not proposed again; the next one is the second fastest
    second = client.post(f"/api/v1/responses/{response.pk}/dispatch/team", {"nearest": True, "specialty": "危化"},
                         content_type="application/json").json()
    assert second["team_id"] == sorted(expected, key=expected.get)[1]
    for state in ("on_scene", "returned"):
        moved = client.post(f"/api/v1/dispatches/{d['id']}/state", {"state": state}, content_type="application/json")
        assert moved.status_code == 200 and moved.json()["state"] == state
    bad = client.post(f"/api/v1/dispatches/{d['id']}/state", {"state": "on_scene"}, content_type="application/json")
    assert bad.status_code == 400
    geo = client.get("/api/v1/responses/geojson").json()
    assert any(f["geometry"]["type"] == "LineString" for f in geo["features"])


def test_material_dispatch_is_a_ledger_outflow_and_refused_beyond_stock(commander, response, make_user):
    from yingji.command import dispatch
    from yingji.command.models import Dispatch
    from yingji.resources.models import Material, StockMovement, Warehouse
    from yingji.resources.stock import record_movement, stock_of

    admin = make_user("adm", "city_admin", CITY)
    wh = Warehouse.objects.create(code="FX-T1", name="测试储备库（示例）", level="city", area_m2=100, manager="库管",
                                  manager_phone="13900000002", lon=121.67, lat=42.02, division_code="210902000000")
    tent = Material.objects.create(code="T001", name="救灾帐篷", category="shelter", unit="顶", division_code=CITY)
    record_movement(admin, warehouse=wh, material=tent, kind="in", quantity=100, signer="库管")
    sent = dispatch.dispatch_material(commander, response, warehouse_id=wh.pk, material_id=tent.pk, quantity="30",
                                      signer="指挥长")
    assert stock_of(wh, tent).quantity == Decimal("70")
    out = StockMovement.objects.get(pk=sent.movement_ids[0])
    assert out.kind == "out" and out.quantity == 30 and f"响应#{response.pk}" in out.reference
    assert sent.route_seconds and sent.route_seconds > 0
    with pytest.raises(Exception, match="超过"):
        dispatch.dispatch_material(commander, response, warehouse_id=wh.pk, material_id=tent.pk, quantity="71",
                                   signer="指挥长")
    assert Dispatch.objects.filter(kind="material").count() == 1
    assert stock_of(wh, tent).quantity == Decimal("70")


def test_incident_board_shows_the_response_level_and_open_tasks(commander, response):
    from django.test import Client

    client = Client()
    client.force_login(commander)
    page = client.get("/incidents/board/").content.decode()
    open_tasks = response.tasks.exclude(state__in=["done", "cancelled"]).count()
    assert open_tasks > 0
    assert f"{response.get_level_display()}响应中" in page
    assert f"未完成任务 {open_tasks} 项" in page


# ---------------------------------------------------------------- foreign keys in scope (issue 13, finding 2)
def test_a_county_cannot_issue_a_task_to_another_countys_organisation(response, make_user):
    from yingji.command import responses
    from yingji.command.models import Task
    from yingji.core.errors import Forbidden
    from yingji.regions.models import Organisation

    fumeng_admin = make_user("fm_admin", "county_admin", response.division_code)
    other = Organisation.objects.filter(kind="bureau").exclude(division_code__in=[CITY, response.division_code]).first()
    own = Organisation.objects.get(kind="bureau", division_code=response.division_code)
    count = Task.objects.count()
    with pytest.raises(Forbidden, match="不在您的管辖范围内"):
        responses.new_task(fumeng_admin, response, other.name, "协助疏散", organisation_id=other.pk)
    assert Task.objects.count() == count
    task = responses.new_task(fumeng_admin, response, own.name, "协助疏散", organisation_id=own.pk)
    assert task.organisation == own
