"""An inspection from the annual plan to the rectification review, in the console: the county
bureau plans, grades, approves and draws (双随机, reproducible), inspects on site, orders
rectification; the enterprise rectifies in the hidden-hazard loop; the bureau reviews and the
loop closes, with the three documents archived."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.test_hazards_loop import act, switch_user

pytestmark = pytest.mark.browser

OWN = "阜新示例氟化工有限公司01"  # the demo enterprise user's enterprise (一级重大危险源: grade A)


def test_inspection_from_plan_to_rectification_review(web):
    page = web.page
    year = str(dt.date.today().year + 1)
    web.login("fumeng")  # 阜新蒙古族自治县应急管理局
    page.goto(web.base_url + "/enforcement/plans/")
    form = page.locator("[data-testid=plan-form]")
    form.locator("[name=year]").fill(year)
    form.locator("[name=name]").fill(f"阜蒙县{year}年度监督检查计划（浏览器测试）")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/enforcement/plans/*/")
    assert page.inner_text("[data-testid=plan-state]") == "编制中"
    assert "监督检查工作日 500" in page.inner_text("[data-testid=capacity]")
    page.click("[data-testid=action-grade]")
    page.wait_for_load_state()
    page.fill("[name=approval_document]", f"阜蒙安委〔{year}〕1号")
    page.click("[data-testid=action-approve]")
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=plan-state]") == "已批准"
    page.fill("[name=seed]", "31415926")
    page.click("[data-testid=action-generate]")
    page.wait_for_load_state()
    draws = page.inner_text("[data-testid=draws]")
    assert "31415926" in draws and "重新抽取结果一致" in draws and "结果不一致" not in draws
    row = page.locator("[data-testid=plan-inspections] tr", has_text=OWN)
    assert "重点检查" in row.inner_text()
    row.locator("a").click()
    page.wait_for_url("**/enforcement/inspections/*/")
    inspection_url = page.url
    assert page.inner_text("[data-testid=inspection-state]") == "待检查"

    act(page, "record", {"summary": "检查了液氯钢瓶库、储罐区和特殊作业票证", "signed_by": ""})
    assert "须有被检查单位负责人签字" in page.inner_text("[role=alert]")
    act(page, "record", {"summary": "检查了液氯钢瓶库、储罐区和特殊作业票证", "signed_by": "法人01"})
    assert page.inner_text("[data-testid=inspection-state]") == "已检查（现场检查记录）"
    act(page, "finding", {"description": "浏览器测试：液氯钢瓶库泄漏报警器未定期检定", "clause": "GB 50493-2019 第4.1.1条"})
    deadline = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    act(page, "order", {"deadline": deadline})
    assert page.inner_text("[data-testid=inspection-state]") == "责令限期整改"
    assert page.inner_text("[data-testid=deadline]") == deadline
    documents = page.inner_text("[data-testid=documents]")
    assert "现场检查记录" in documents and "责令限期整改指令书" in documents
    hazard_link = page.locator("[data-testid=findings] a").first
    assert hazard_link.inner_text() == "已确认（待整改）"
    hazard_url = web.base_url + hazard_link.get_attribute("href")

    switch_user(web, "qiye")
    page.goto(hazard_url)
    act(page, "start_rectification", {"measures": "报警器送检并更换失效探头", "responsible_person": "安全员01",
                                      "deadline": deadline})
    act(page, "request_review")
    assert page.inner_text("[data-testid=hazard-state]") == "待复查"

    switch_user(web, "fumeng")
    page.goto(inspection_url)
    page.locator("[data-testid=form-review] [name=opinion]").fill("现场复查，报警器检定合格")
    page.click("[data-testid=action-pass_review]")
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=inspection-state]") == "复查通过（已办结）"
    assert page.locator("[data-testid=findings] a").first.inner_text() == "已销号"
    assert "整改复查意见书" in page.inner_text("[data-testid=documents]")
    web.screenshot("enforcement-inspection-reviewed")
    assert web.external_requests() == []
