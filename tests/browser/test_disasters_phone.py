"""A village 灾害信息员 files a loss report from a phone-sized viewport; it waits for the county
and counts nowhere; 彰武县 reviews it, corrects a figure with a recorded reason and submits it
upward; the city's event page shows its total change and the correction."""

import re

import pytest

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def _login(context, base_url: str, username: str):
    page = context.new_page()
    page.goto(base_url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "yingji-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def test_village_report_from_a_phone_reviewed_by_the_county_changes_the_city_total(web, browser, platform):
    web.login("city")
    page = web.page
    page.goto(web.base_url + "/disasters/new/")
    page.fill("input[name=title]", "浏览器测试：彰武县短时强降雨")
    page.select_option("select[name=hazard_type]", "flood")
    page.fill("input[name=division_code]", "210900")
    page.fill("input[name=affected_codes]", "210922")
    page.click("#event-form button[type=submit]")
    page.wait_for_url(re.compile(r"/disasters/\d+/$"))
    event_url = page.url
    assert "尚无灾情报告" in page.inner_text("body")

    phone = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
                                is_mobile=True, has_touch=True)
    try:
        mobile = _login(phone, web.base_url, "xinxiyuan")
        mobile.goto(event_url)
        mobile.click("#file-report")
        mobile.wait_for_url(re.compile(r"/report/$"))
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        assert "县级审核" in mobile.inner_text("body")
        assert mobile.input_value("input[name=division_code]") == "210922100201"  # the officer's own village
        mobile.fill("input[name=reporter]", "示例村灾害信息员")
        mobile.fill("input[name=affected_population]", "120")
        mobile.fill("input[name=relocated]", "30")
        ARTIFACTS.mkdir(exist_ok=True)
        mobile.screenshot(path=str(ARTIFACTS / "disaster-report-phone.png"), full_page=True)
        mobile.click("#report-submit")
        mobile.wait_for_url(re.compile(r"/disasters/\d+/$"))
        assert "待县级审核" in mobile.inner_text("[data-testid=reports]")
    finally:
        phone.close()

    page.goto(event_url)
    assert "尚无灾情报告" in page.inner_text("body")  # not counted before the county's review

    county = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900})
    try:
        desk = _login(county, web.base_url, "zhangwu")
        desk.goto(event_url)
        queue = desk.inner_text("[data-testid=pending-reviews]")
        assert "待审核的下级报告（1）" in queue and "120" in queue
        desk.click("[data-testid=pending-reviews] a:has-text('审核')")
        desk.wait_for_url(re.compile(r"/review/$"))
        desk.fill("input[name=affected_population]", "135")
        desk.click("#review-submit")
        assert "须填写更正原因" in desk.inner_text("[data-testid=review-error]")
        desk.fill("textarea[name=correction_reason]", "电话核实：村西组15人漏报")
        desk.screenshot(path=str(ARTIFACTS / "disaster-review-county.png"), full_page=True)
        desk.click("#review-submit")
        desk.wait_for_url(re.compile(r"/disasters/\d+/$"))
        assert "已审核并上报" in desk.inner_text("body")
    finally:
        county.close()

    page.goto(event_url)
    totals = page.inner_text("[data-testid=totals]")
    assert "135" in totals and "30" in totals
    reports = page.inner_text("[data-testid=reports]")
    assert "已审核上报" in reports and "受灾人口（人） 120 → 135" in reports and "村西组15人漏报" in reports
    web.screenshot("disaster-event-city")
    assert web.external_requests() == []


def test_disaster_limits_on_the_duty_board_and_the_indicator_trends(web, platform):
    web.login("zhangwu")
    page = web.page
    page.goto(web.base_url + "/incidents/")
    rows = page.locator("[data-testid=other-deadline]")
    assert rows.count() >= 1
    text = rows.first.inner_text()
    assert "彰武县局地短时强降雨（合成示例）" in page.inner_text("[data-testid=deadline-table]")
    assert "彰武县" in text and ("剩余" in text or "已超时" in text)  # the countdown runs on these rows too
    web.screenshot("disaster-duty-board")
    page.context.clear_cookies()  # a second person at another desk
    web.login("city")
    page.goto(web.base_url + "/disasters/indicators/?year=2025")
    chart = page.locator("[data-testid=trend-affected_per_100k] svg")
    assert chart.locator("circle").count() == 5 and chart.locator("line.target-line").count() == 1
    page.locator("[data-testid=trend-affected_per_100k]").screenshot(path=str(ARTIFACTS / "disaster-trend.png"))
    assert web.external_requests() == []
