"""The report form starts from the figures given at intake (then from the previous report) and
shows what the duty officer changes, previous → new; the filed report and the timeline keep the
changes (issue 14: "首报 asks again for casualty numbers already given at intake")."""

import json
import urllib.request
import uuid

import pytest

pytestmark = pytest.mark.browser

ITEMS = {"unit_overview": "某物流仓库", "time_place_scene": "今日凌晨，仓库二号库", "brief_course": "货架倒塌",
         "casualties_and_loss": "见下", "measures_taken": "消防救援队伍搜救中"}


def _intake(web, platform) -> int:
    token = platform.cli("token", "duty").stdout.strip()
    body = {"client_token": str(uuid.uuid4()), "title": "浏览器测试：仓库货架倒塌", "type_code": "accident.work_safety",
            "description": "货架倒塌，有人员被困", "division_code": "210922", "trapped": 3, "injuries": 1}
    request = urllib.request.Request(web.base_url + "/api/v1/incidents/", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["id"]


def _submit(page):
    page.click("#report-submit")
    page.wait_for_selector("[data-testid=reports], p.error[role=alert]")
    errors = page.locator("p.error[role=alert]")
    assert errors.count() == 0, errors.first.inner_text()


def _fill_items(page):
    page.fill("input[name=issuer]", "王局长")
    for name, text in ITEMS.items():
        page.fill(f"textarea[name={name}]", text)


def test_report_form_prefilled_from_intake_and_changes_shown(web, platform):
    pk = _intake(web, platform)
    web.login("duty")
    page = web.page
    page.goto(f"{web.base_url}/incidents/{pk}/")
    page.click("[data-testid=file-first]")
    # The intake's figures are already there; nothing is asked again.
    assert page.input_value("input[name=trapped]") == "3" and page.input_value("input[name=injuries]") == "1"
    assert "接报：3" in page.inner_text("#report-figures")
    assert page.inner_text("[data-testid=figure-changes]") == "与接报相比：数字无变化"
    page.fill("input[name=deaths]", "2")
    page.fill("input[name=trapped]", "1")
    assert page.inner_text("[data-testid=figure-changes]") == "与接报相比的变化：死亡 0 → 2；被困 3 → 1"
    assert page.locator("input[name=trapped].changed").count() == 1
    assert page.locator("input[name=injuries].changed").count() == 0
    web.screenshot("incident-report-changes-form")
    _fill_items(page)
    _submit(page)
    changes = page.inner_text("[data-testid=report-changes]")
    assert "较接报" in changes and "死亡 0 → 2" in changes and "被困 3 → 1" in changes
    assert "较接报：死亡 0→2、被困 3→1" in page.inner_text("[data-testid=timeline]")

    # The next report starts from the 首报's figures.
    page.click("[data-testid=file-follow_up]")
    assert page.input_value("input[name=deaths]") == "2" and page.input_value("input[name=trapped]") == "1"
    assert "首报：2" in page.inner_text("#report-figures")
    page.fill("input[name=trapped]", "0")
    assert page.inner_text("[data-testid=figure-changes]") == "与首报相比的变化：被困 1 → 0"
    _submit(page)
    assert "较首报" in page.locator("[data-testid=report-changes]").nth(1).inner_text()
    web.screenshot("incident-report-changes-detail")
    assert web.external_requests() == []
