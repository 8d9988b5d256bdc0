"""In a real browser: the commander drafts a plan, collects a department's feedback and an
expert's review and submits it; the city administrator approves and publishes it (the filing
clock starts); then a trainee sits the open exam on the exam-room terminal, with the countdown
running, and gets a score."""

import re

import pytest

from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser


def _as(web, username):
    web.page.context.clear_cookies()
    web.login(username)


def _step(page, action):
    page.click(f"button[data-action={action}]")
    page.wait_for_selector(".messages")


def test_plan_from_draft_to_published(web):
    page = web.page
    _as(web, "commander")
    page.goto(web.base_url + "/preparedness/plans/new/")
    page.fill("input[name=name]", "阜新市城市内涝应急预案（浏览器测试）")
    page.select_option("select[name=kind]", "special")
    page.fill("input[name=owner_unit]", "阜新市住房和城乡建设局")
    page.fill("textarea[name=text]", "第一章 总则\n1.1 为了做好城市内涝应对工作，制定本预案。")
    page.click("#plan-save")
    page.wait_for_url(re.compile(r"/preparedness/plans/\d+/$"))
    plan_url = page.url
    assert page.inner_text("[data-testid=plan-state]") == "起草中"
    _step(page, "consult")
    page.fill("#consultation-form input[name=source]", "阜新市水利局")
    page.fill("#consultation-form textarea[name=content]", "建议补充排涝泵站调度措施")
    page.click("#consultation-form button")
    page.wait_for_selector("text=建议补充排涝泵站调度措施")
    _step(page, "review")
    page.select_option("#review-form select[name=conclusion]", "pass_with_changes")
    page.fill("#review-form textarea[name=content]", "响应分级合理，建议细化积水点清单")
    page.click("#review-form button")
    page.wait_for_selector("text=响应分级合理，建议细化积水点清单")
    _step(page, "submit")
    assert page.inner_text("[data-testid=plan-state]") == "待审批"
    assert page.locator("button[data-action=approve]").count() == 0  # the commander may not approve
    web.screenshot("preparedness-plan-submitted")

    _as(web, "city")
    page.goto(plan_url)
    _step(page, "approve")
    assert page.inner_text("[data-testid=plan-state]") == "已审批待发布"
    _step(page, "publish")
    assert page.inner_text("[data-testid=plan-state]") == "已发布"
    assert "待备案" in page.inner_text("[data-testid=filing]")
    assert "印发后20个工作日" in page.inner_text("[data-testid=filing]")
    web.screenshot("preparedness-plan-published")
    page.goto(web.base_url + "/preparedness/plans/?q=城市内涝")
    assert "阜新市城市内涝应急预案（浏览器测试）" in page.inner_text("[data-testid=plans]")
    assert web.external_requests() == []


def test_trainee_sits_the_open_exam(web):
    page = web.page
    _as(web, "city")
    page.goto(web.base_url + "/preparedness/training/")
    page.click("text=应急管理干部业务知识测试（示例，开放中）")
    page.wait_for_selector("#start-form")
    page.click("#start-exam")
    page.wait_for_url(re.compile(r"/preparedness/attempts/\d+/$"))
    wait_until(page, "document.getElementById('exam-remaining').textContent.includes('分')")
    questions = page.locator("[data-testid=question]")
    assert questions.count() == 20
    for i in range(questions.count()):
        questions.nth(i).locator("input").first.check()
    web.screenshot("preparedness-exam")
    page.click("#exam-submit")
    page.wait_for_selector("[data-testid=result]")
    result = page.inner_text("[data-testid=result]")
    assert re.search(r"已交卷：得分 \d+(\.\d)? / 100\.0", result)
    web.screenshot("preparedness-exam-result")
    assert web.external_requests() == []
