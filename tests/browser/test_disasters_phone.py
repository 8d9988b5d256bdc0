"""A village officer files a loss report from a phone-sized viewport; the county files its
reviewed figure with an explained difference; the city's event page shows the total change."""

import re

import pytest

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

VILLAGE = "210922100201"  # a village code below 彰武镇


def test_village_report_from_a_phone_reaches_the_city_total(web, browser, platform):
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
    mobile = phone.new_page()
    try:
        mobile.goto(web.base_url + "/login/")
        mobile.fill("input[name=username]", "zhangwu")
        mobile.fill("input[name=password]", "yingji-demo-2026")
        mobile.click("button[type=submit]")
        mobile.wait_for_url(lambda url: "/login/" not in url)
        mobile.goto(event_url + "report/")
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        mobile.fill("input[name=division_code]", VILLAGE)
        mobile.fill("input[name=reporter]", "村灾害信息员")
        mobile.fill("input[name=affected_population]", "120")
        mobile.fill("input[name=relocated]", "30")
        ARTIFACTS.mkdir(exist_ok=True)
        mobile.screenshot(path=str(ARTIFACTS / "disaster-report-phone.png"), full_page=True)
        mobile.click("#report-submit")
        mobile.wait_for_url(re.compile(r"/disasters/\d+/$"))
    finally:
        phone.close()

    page.goto(event_url)
    assert "120" in page.inner_text("[data-testid=totals]")

    # the county reviews and files its own figure (a corrected count, explained)
    county = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900})
    desk = county.new_page()
    try:
        desk.goto(web.base_url + "/login/")
        desk.fill("input[name=username]", "zhangwu")
        desk.fill("input[name=password]", "yingji-demo-2026")
        desk.click("button[type=submit]")
        desk.wait_for_url(lambda url: "/login/" not in url)
        desk.goto(event_url + "report/")
        desk.fill("input[name=division_code]", "210922")
        desk.fill("input[name=affected_population]", "150")
        desk.fill("input[name=relocated]", "30")
        desk.click("#report-submit")
        assert "与下级合计不一致" in desk.inner_text("[data-testid=report-error]")
        desk.fill("textarea[name=difference_explanation]", "县复核：另有30人在村报表之外")
        desk.click("#report-submit")
        desk.wait_for_url(re.compile(r"/disasters/\d+/$"))
    finally:
        county.close()

    page.goto(event_url)
    totals = page.inner_text("[data-testid=totals]")
    assert "150" in totals
    assert "县复核" in page.inner_text("[data-testid=reports]")  # the explanation travels with the report
    web.screenshot("disaster-event-city")
    assert web.external_requests() == []
