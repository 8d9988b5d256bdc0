"""Log in, open the one-map, see Fuxin's counties by name, and nothing leaves the server."""

import pytest

pytestmark = pytest.mark.browser

FUXIN_COUNTIES = ["海州区", "新邱区", "太平区", "清河门区", "细河区", "阜新蒙古族自治县", "彰武县"]


def test_login_dashboard_and_map_offline(web):
    web.login("city")
    page = web.page
    main = page.inner_text("main")
    assert "工作台" in main
    # The home page gathers what needs attention from each domain (demo incidents, warnings, hazards).
    for title in ("未办结突发事件", "生效中的预警", "逾期未整改隐患", "未关闭监测报警"):
        assert title in main
    assert page.locator("[data-testid=panel] li a").count() > 0
    web.screenshot("dashboard")
    page.goto(web.base_url + "/map/")
    page.wait_for_selector("#map[data-ready='1']", timeout=30000)
    # Every county has its label (one colliding with a larger county's is hidden until zoomed in).
    labels = page.locator(".division-label").evaluate_all("els => els.map(e => e.textContent)")
    for name in FUXIN_COUNTIES:
        assert name in labels, f"{name} not rendered on the map"
    # Enterprise markers (synthetic) are clustered on the map.
    assert page.locator(".leaflet-marker-icon").count() > 0
    # Chinese text is rendered with a CJK font, not tofu: the label box has real width.
    box = page.locator(".division-label", has_text="彰武县").bounding_box()
    assert box and box["width"] > 30
    web.screenshot("map-fuxin")
    assert web.external_requests() == []


def test_wrong_password_is_refused_in_chinese(web):
    page = web.page
    page.goto(web.base_url + "/login/")
    page.fill("input[name=username]", "viewer")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.inner_text("[role=alert]")
    assert web.external_requests() == []


def test_county_user_sees_only_own_county_records(web):
    web.login("zhangwu")
    page = web.page
    page.goto(web.base_url + "/r/enterprises/")
    body = page.inner_text("main")
    assert "彰武县" in body
    assert "海州区" not in body
