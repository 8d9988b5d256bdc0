"""A duty officer takes a call on the duty console through to a 首报, with the countdown visible."""

import re

import pytest

from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser


def test_take_a_call_through_to_first_report(web):
    web.login("duty")
    page = web.page
    # Every page shows who is on duty now.
    assert "在岗" in page.inner_text("[data-testid=on-duty]")
    page.goto(web.base_url + "/incidents/")
    page.click("[data-testid=take-call]")
    page.wait_for_selector("#picker-map .leaflet-interactive", timeout=30000)
    page.fill("input[name=title]", "浏览器测试：某商场火灾")
    page.select_option("select[name=type_code]", "accident.fire")
    page.select_option("select[name=source]", "phone")
    page.fill("input[name=caller_name]", "李先生")
    page.fill("input[name=caller_phone]", "13900001111")
    page.fill("textarea[name=description]", "商场三楼起火，有人员被困")
    page.fill("input[name=trapped]", "3")
    page.fill("input[name=division_code]", "")
    box = page.locator("#picker-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the location by map click
    assert page.input_value("input[name=lon]") and page.input_value("input[name=lat]")
    # The form says which county the clicked point lies in before anything is saved (issue 14).
    page.locator("[data-testid=division-preview]", has_text="点位所在区划").wait_for()
    assert "阜新市" in page.inner_text("[data-testid=division-preview]")
    page.click("#intake-submit")
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))
    assert page.inner_text("[data-testid=state]") == "已接报"
    countdown = page.locator("[data-testid=countdown]").first
    wait_until(page, "document.querySelector('[data-testid=countdown]').textContent.startsWith('剩余')")
    assert re.match(r"剩余 \d+:\d\d", countdown.inner_text())
    assert "电话报告" in page.inner_text("[data-testid=deadlines]")
    web.screenshot("incident-intake-countdown")

    page.click("[data-testid=file-first]")
    page.fill("input[name=issuer]", "王局长")
    page.fill("textarea[name=unit_overview]", "某商场，营业面积2万平方米")
    page.fill("textarea[name=casualties_and_loss]", "暂无死亡，3人被困")
    page.fill("textarea[name=measures_taken]", "消防救援支队已到场搜救")
    page.click("#report-submit")
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))
    assert page.inner_text("[data-testid=state]") == "已首报"
    assert "首报" in page.inner_text("[data-testid=reports]")
    assert "一般事故" in page.inner_text("[data-testid=grade]")
    timeline = page.inner_text("[data-testid=timeline]")
    assert "接报" in timeline and "首报" in timeline

    page.goto(web.base_url + "/incidents/")
    assert "浏览器测试：某商场火灾" in page.inner_text("[data-testid=open-incidents]")
    wait_until(page, "document.querySelectorAll('[data-testid=countdown]').length > 0 && "
                           "[...document.querySelectorAll('[data-testid=countdown]')].every(e => e.textContent !== '—')")
    assert page.locator(".countdown.overdue").count() >= 1  # the demo's unreported forest fire
    web.screenshot("duty-console")
    assert web.external_requests() == []


def test_escalated_report_arrives_live_at_the_city(web, platform):
    """The city duty room's console receives a county's report live (SSE) with an alert."""
    import json
    import urllib.request

    web.login("duty")
    page = web.page
    page.goto(web.base_url + "/incidents/")
    wait_until(page, "document.body.getAttribute('data-live') === 'open'", timeout=15000)
    token = platform.cli("token", "duty_zw").stdout.strip()

    def call(path, body):
        request = urllib.request.Request(web.base_url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    import uuid

    incident = call("/api/v1/incidents/", {"client_token": str(uuid.uuid4()), "title": "彰武县浏览器测试矿山事故",
                                           "type_code": "accident.non_coal_mine", "description": "采场片帮",
                                           "division_code": "210922"})
    items = {"unit_overview": "示例矿山", "time_place_scene": "采场", "brief_course": "片帮", "casualties_and_loss": "2人死亡",
             "measures_taken": "救援中"}
    call(f"/api/v1/incidents/{incident['id']}/reports/", {"kind": "first", "issuer": "县局长", "deaths": 2,
                                                         "submit_upward": True, **items})
    toast = page.wait_for_selector(".toast.alert", timeout=15000)
    assert "彰武县应急管理局" in toast.inner_text()
    page.wait_for_selector("[data-testid=pending-receipts] >> text=彰武县浏览器测试矿山事故", timeout=15000)
    web.screenshot("duty-console-escalation")
    assert web.external_requests() == []
