"""The command pages as a commander uses them (server-rendered forms), and the .docx summary."""

from __future__ import annotations

import io

import pytest
from django.test import Client


@pytest.fixture
def web(commander):
    client = Client()
    client.force_login(commander)
    return client


def test_activate_dispatch_and_task_through_the_pages(web, make_incident, demo_plans, road_network, make_team):
    from yingji.command.models import Dispatch, Response

    make_team("危化救援队（示例）", (121.75, 42.08))
    incident = make_incident()
    page = web.get(f"/command/incident/{incident.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "危险化学品事故应急预案" in body and "建议Ⅲ级响应" in body and "危化救援队（示例）" in body
    plan_id = page.context["proposals"][0]["plan_id"]
    assert web.post(f"/command/incident/{incident.pk}/activate/", {"plan": plan_id, "level": 3}).status_code == 302
    response = Response.objects.get(incident=incident)
    web.post(f"/command/responses/{response.pk}/", {"action": "dispatch_nearest"})
    assert Dispatch.objects.get(response=response).team.name == "危化救援队（示例）"
    task = response.tasks.first()
    web.post(f"/command/tasks/{task.pk}/", {"action": "accept", "version": task.version})
    task.refresh_from_db()
    assert task.state == "accepted"
    # a stale form (old version) is refused with a message, nothing changes
    follow = web.post(f"/command/tasks/{task.pk}/", {"action": "start", "version": 1}, follow=True)
    assert "已被他人更新" in follow.content.decode()
    task.refresh_from_db()
    assert task.state == "accepted"
    page = web.get(f"/command/incident/{incident.pk}/").content.decode()
    assert "Ⅲ级响应" in page and "在途" in page

    docx = web.get(f"/command/incident/{incident.pk}/summary.docx")
    assert docx.status_code == 200
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    tables = " ".join(c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells)
    assert "应急处置总结" in text and "Ⅲ级响应" in text and "危化救援队（示例）" in tables and "已签收" in tables


def test_roads_page_closes_a_clicked_road_and_reopens_it(web, road_network):
    from yingji.command.models import RoadClosure

    assert "合成" in web.get("/command/roads/").content.decode()
    missing = web.post("/command/roads/close/", {"reason": "塌方"}, follow=True)
    assert "请先在地图上点选" in missing.content.decode()
    from yingji.command import network

    graph = network.graph_for()
    node, _ = graph.snap(121.657, 42.011)
    web.post("/command/roads/close/", {"reason": "塌方", "lon": graph.lon[node[0]], "lat": graph.lat[node[0]]})
    closure = RoadClosure.objects.get()
    assert closure.active and closure.edge_ids
    web.post(f"/command/roads/{closure.pk}/reopen/", {"note": "抢通"})
    closure.refresh_from_db()
    assert not closure.active


def test_default_specialty_filter_says_so_and_names_a_nearer_team_of_another_specialty(
        web, make_incident, demo_plans, road_network, make_team):
    from yingji.command.models import Response

    make_team("危化救援队（示例）", (121.75, 42.08))
    from tests.command.conftest import INCIDENT_POINT

    make_team("综合救援队（示例）", INCIDENT_POINT, specialties="综合救援")  # right at the scene
    incident = make_incident()
    page = web.get(f"/command/incident/{incident.pk}/").content.decode()
    assert "按事件类型默认只列“危化”专业队伍" in page
    assert "另有其他专业队伍更近：<strong>综合救援队（示例）</strong>" in page
    plan_id = web.get(f"/command/incident/{incident.pk}/").context["proposals"][0]["plan_id"]
    web.post(f"/command/incident/{incident.pk}/activate/", {"plan": plan_id, "level": 3})
    assert Response.objects.filter(incident=incident).exists()


def test_dispatch_nearest_is_disabled_when_no_team_can_go(web, make_incident, demo_plans, road_network, make_team):
    make_team("出勤中的危化队（示例）", (121.75, 42.08), readiness="deployed")
    incident = make_incident()
    plan_id = web.get(f"/command/incident/{incident.pk}/").context["proposals"][0]["plan_id"]
    web.post(f"/command/incident/{incident.pk}/activate/", {"plan": plan_id, "level": 3})
    page = web.get(f"/command/incident/{incident.pk}/").content.decode()
    assert 'data-testid="dispatch-nearest" disabled' in page and "没有可到达的待命危化队伍" in page
