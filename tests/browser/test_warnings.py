"""From a draft to the public page in a real browser: the duty officer drafts, the city
administrator reviews, the commander signs, the duty officer publishes, and the public page
(no login) shows the warning with its instructions on the offline map."""

import pytest

from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser


def _as(web, username):
    web.page.context.clear_cookies()
    web.login(username)


def _act(web, warning_url, action):
    web.page.goto(warning_url)
    web.page.click(f"[data-testid=act-{action}]")
    web.page.wait_for_selector(".messages")


def test_draft_to_public_page(web):
    page = web.page
    _as(web, "duty")
    page.goto(web.base_url + "/warnings/new/")
    page.wait_for_selector("#area-map[data-ready='1']", timeout=30000)
    page.select_option("select[name=event_type]", "natural.meteorological")
    page.fill("input[name=event]", "冰雹")
    page.select_option("select[name=level]", "2")
    page.fill("input[name=area_desc]", "彰武县西部（浏览器测试）")
    page.check("input[name=area_codes][value='210922000000']")
    page.fill("textarea[name=description]", "预计午后彰武县西部将出现冰雹天气。")
    page.fill("textarea[name=instruction]", "请将车辆停放在室内，避免在空旷地带停留。")
    web.screenshot("warnings-compose")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=warning-state]")
    assert page.inner_text("[data-testid=warning-state]") == "草稿"
    warning_url = page.url
    _act(web, warning_url, "submit")
    assert page.inner_text("[data-testid=warning-state]") == "待审核"

    _as(web, "city")
    _act(web, warning_url, "approve")
    assert page.inner_text("[data-testid=warning-state]") == "待签发"
    _as(web, "commander")
    _act(web, warning_url, "sign")
    _as(web, "duty")
    _act(web, warning_url, "publish")
    assert page.inner_text("[data-testid=warning-state]") == "已发布"
    log = page.inner_text("[data-testid=workflow-log]")
    assert "审核通过" in log and "签发" in log and "发布" in log
    web.screenshot("warnings-published-detail")

    page.context.clear_cookies()
    page.goto(web.base_url + "/warnings/public/")
    card = page.locator("[data-testid=public-warning]", has_text="冰雹")
    assert card.count() == 1
    assert "请将车辆停放在室内" in card.inner_text()
    wait_until(page, "document.getElementById('public-map').getAttribute('data-ready') > '0'", timeout=30000)
    assert page.locator("#public-map path.leaflet-interactive").count() > 7  # counties + warning areas
    web.screenshot("warnings-public")
    assert web.external_requests() == []
