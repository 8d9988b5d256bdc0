"""A commander opens an incident's command page, activates the proposed response and
dispatches the nearest team: the team's road route appears on the map."""

import json

import pytest

pytestmark = pytest.mark.browser

CREATE_INCIDENT = """
import uuid
from yingji.accounts.models import User
from yingji.incidents.services import take_call
duty = User.objects.get(username="duty")
incident, _ = take_call(duty, {"client_token": str(uuid.uuid4()), "title": "示例氟化工企业氢氟酸泄漏（浏览器测试）",
    "type_code": "accident.hazchem", "description": "储罐泄漏，3人死亡（合成示例）", "deaths": 3,
    "lon": 121.80, "lat": 42.10, "is_synthetic": True})
print(incident.pk)
"""


def test_commander_activates_response_and_dispatches_nearest_team(platform, web):
    incident_id = int(platform.cli("manage", "shell", "-c", CREATE_INCIDENT).stdout.strip().splitlines()[-1])
    web.login("commander")
    page = web.page
    page.goto(f"{web.base_url}/command/incident/{incident_id}/")
    page.wait_for_selector("#command-map[data-ready='1']", timeout=30000)
    proposals = page.inner_text("[data-testid=proposals]")
    assert "危险化学品事故应急预案" in proposals and "Ⅲ级响应" in proposals  # 3 deaths = 较大 → Ⅲ级
    with page.expect_navigation():
        page.click("[data-testid=activate]")
    page.wait_for_selector("[data-testid=active-response]")
    assert "Ⅲ级响应" in page.inner_text("[data-testid=response-level]")
    assert page.locator("[data-testid=tasks] tbody tr").count() >= 4
    first_nearest = page.locator("[data-testid=nearest-teams] tbody tr td a").first.inner_text()

    with page.expect_navigation():
        page.click("[data-testid=dispatch-nearest]")
    page.wait_for_selector("#command-map[data-ready='1']", timeout=30000)
    assert f"已调派{first_nearest}" in page.inner_text(".messages")
    dispatch_row = page.inner_text("[data-testid=dispatches]")
    assert first_nearest in dispatch_row and "在途" in dispatch_row
    # the route is drawn on the map as a thick polyline with the team's label
    route = page.locator("path.dispatch-route")
    assert route.count() == 1
    box = route.bounding_box()
    assert box and (box["width"] > 20 or box["height"] > 20)
    assert first_nearest in page.inner_text(".dispatch-label")
    # the API agrees: the team has an en-route dispatch with a road route ending at the scene
    api = page.evaluate("""async (id) => (await (await fetch('/api/v1/responses/?incident=' + id)).json())""", incident_id)
    detail = page.evaluate("""async (id) => (await (await fetch('/api/v1/responses/' + id)).json())""", api["items"][0]["id"])
    sent = detail["dispatches"][0]
    assert sent["state"] == "en_route" and sent["route"][-1] == [121.8, 42.1] and sent["route_seconds"] > 0
    web.screenshot("command-dispatch-route")
    assert web.external_requests() == []


def test_one_map_shows_active_responses_and_closures_overlays(web):
    web.login("commander")
    page = web.page
    page.goto(web.base_url + "/map/")
    page.wait_for_selector("#map[data-ready='1']", timeout=30000)
    labels = page.inner_text(".map-panel")
    assert "应急响应与调度路线" in labels and "道路封闭" in labels
    assert web.external_requests() == []
