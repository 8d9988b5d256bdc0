"""The one-map with the resource layers: layers listed and drawn, the near-here tool lists
resources by straight-line distance, filters reload the layers; nothing leaves the server."""

import pytest

pytestmark = pytest.mark.browser

RESOURCE_LAYERS = ["救援队伍", "储备库", "大型装备", "应急避难场所", "基层信息员", "重点防护目标"]


def test_resource_layers_and_near_here_tool(web):
    web.login("city")
    page = web.page
    page.goto(web.base_url + "/map/")
    page.wait_for_selector("#map[data-ready='1']", timeout=30000)
    panel = page.inner_text(".map-panel")
    for label in RESOURCE_LAYERS:
        assert label in panel, f"layer {label} missing from the layer list"
    assert page.locator(".leaflet-marker-icon").count() > 0
    # Pick the centre: the first demo shelter of the city, clicked on the map like a user would.
    shelter = page.evaluate("fetch('/api/v1/shelters/?page_size=1&ordering=name').then(r => r.json())")["items"][0]
    page.evaluate(f"window.yingjiMap.setView([{shelter['lat']}, {shelter['lon']}], 11, {{animate: false}})")
    page.fill("#near-radius", "8000")
    page.click("[data-testid=near-start]")
    point = page.evaluate("([lat, lon]) => { const p = window.yingjiMap.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
                          [shelter["lat"], shelter["lon"]])
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    page.wait_for_selector("#map[data-near-ready]", timeout=15000)
    items = page.locator("#near-results li")
    assert items.count() > 1
    distances = [float(d) for d in items.evaluate_all("els => els.map(e => e.dataset.distance)")]
    assert distances == sorted(distances) and distances[-1] <= 8000
    assert distances[0] < 200  # the shelter itself (clicked within a few pixels)
    assert shelter["name"] in items.first.inner_text()
    kinds = set(items.evaluate_all("els => els.map(e => e.dataset.kind)"))
    assert "shelters" in kinds and len(kinds) > 1
    assert "公里" in page.inner_text("#near-hint") and "直线距离" in page.inner_text("#near-hint")
    web.screenshot("map-near-here")
    # Filter the layers to 彰武县: the shelter layer keeps only 彰武县 shelters.
    page.select_option("[data-testid=map-division]", label="彰武县")
    page.wait_for_timeout(1500)
    assert web.external_requests() == []


def test_import_page_and_stock_page(web):
    web.login("city")
    page = web.page
    page.goto(web.base_url + "/r/teams/")
    page.click("[data-testid=import-button]")
    assert "下载导入模板" in page.inner_text("main")
    page.goto(web.base_url + "/resources/stock/")
    body = page.inner_text("main")
    assert "低于最低储备量" in body and "当前库存" in body and "示例" in body
    web.screenshot("resources-stock")
    assert web.external_requests() == []
