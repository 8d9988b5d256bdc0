"""Walk one hidden hazard from discovery to closure (销号) in the console, as the enterprise
and the supervisor would; then look at the risk map and a graded hazard source."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.browser


def act(page, action: str, fields: dict | None = None) -> None:
    form = page.locator(f"[data-testid=form-{action}]")
    for name, value in (fields or {}).items():
        target = form.locator(f"[name={name}]")
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
    form.locator(f"[data-testid=action-{action}]").click()
    page.wait_for_load_state()


def switch_user(web, username: str) -> None:
    web.page.context.clear_cookies()
    web.login(username)


def test_hidden_hazard_from_discovery_to_closure(web):
    page = web.page
    web.login("qiye")  # the demo enterprise user (阜新示例氟化工有限公司01)
    page.goto(web.base_url + "/hazards/hidden/new/")
    page.fill("[name=title]", "浏览器测试：液氯库洗眼器无水")
    page.fill("[name=description]", "液氯钢瓶库门口洗眼器无水，不能应急使用")
    page.fill("[name=location_text]", "液氯钢瓶库")
    page.fill("[name=clause]", "GBZ 1-2010 第6.1.6条")
    page.click("button[type=submit]")
    page.wait_for_url("**/hazards/hidden/*/")
    url = page.url
    assert page.inner_text("[data-testid=hazard-state]") == "待确认"
    assert page.locator("[data-testid=action-confirm]").count() == 0  # an enterprise cannot confirm

    switch_user(web, "supervisor")
    page.goto(url)
    act(page, "confirm", {"grade": "general"})
    assert page.inner_text("[data-testid=hazard-state]") == "已确认（待整改）"
    assert page.inner_text("[data-testid=hazard-grade]") == "一般隐患"

    switch_user(web, "qiye")
    page.goto(url)
    deadline = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    act(page, "start_rectification", {"measures": "", "responsible_person": "安全员01", "deadline": deadline})
    assert "整改措施" in page.inner_text("[role=alert]")  # refused with the reason, nothing changed
    assert page.inner_text("[data-testid=hazard-state]") == "已确认（待整改）"
    act(page, "start_rectification", {"measures": "洗眼器接通水源并每日检查", "responsible_person": "安全员01",
                                      "deadline": deadline, "funds_yuan": "1200"})
    assert page.inner_text("[data-testid=hazard-state]") == "整改中"
    act(page, "request_review")
    assert page.inner_text("[data-testid=hazard-state]") == "待复查"

    switch_user(web, "supervisor")
    page.goto(url)
    act(page, "pass_review", {"opinion": "现场复查，洗眼器出水正常"})
    assert page.inner_text("[data-testid=hazard-state]") == "验收通过（待销号）"
    act(page, "close", {"opinion": "同意销号"})
    assert page.inner_text("[data-testid=hazard-state]") == "已销号"
    assert page.locator(".action-form").count() == 0
    timeline = page.inner_text("[data-testid=timeline]")
    for step in ("确认并定级", "提交整改", "申请复查", "复查通过", "销号"):
        assert step in timeline
    web.screenshot("hazards-loop-closed")
    assert web.external_requests() == []


def test_risk_map_and_graded_source(web):
    page = web.page
    web.login("supervisor")
    page.goto(web.base_url + "/hazards/risk-map/")
    page.wait_for_selector("#risk-map[data-ready='1']", timeout=30000)
    assert page.locator("[data-testid=risk-by-division] .risk-red").count() >= 1
    assert page.locator(".leaflet-interactive").count() > 50
    # 阜新蒙古族自治县 (the fluorine park) is filled red: its most severe risk point is 重大风险.
    assert page.locator("path.leaflet-interactive[fill='#FF0000']").count() >= 1
    web.screenshot("hazards-risk-map")
    page.goto(web.base_url + "/hazards/sources/?current_grade=1")
    page.locator("table.grid a").first.click()
    assert page.inner_text("[data-testid=source-grade]") == "一级"
    assert "α =" in page.inner_text("[data-testid=grading-summary]")
    assert "表3 氟化氢" in page.inner_text("main")
    web.screenshot("hazards-source-detail")
    assert web.external_requests() == []
