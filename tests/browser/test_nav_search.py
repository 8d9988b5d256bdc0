"""The search box at the top of the side navigation: typing lists pages and records of the
user's own scope; arrow keys and Enter, or a click, open them; Enter alone opens the results page."""

import pytest

from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser

BOX = "[data-testid=nav-search] input[name=q]"
RESULTS = "#nav-search-results"


def type_query(page, text: str) -> None:
    page.fill(BOX, "")
    page.type(BOX, text, delay=30)
    wait_until(page, f"document.querySelector('form.nav-search').dataset.query === {text!r}"
                     f" && !document.querySelector('{RESULTS}').hidden")


def test_type_a_page_name_and_go_there_with_the_keyboard(web):
    errors: list[str] = []
    web.page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    web.login("duty")
    page = web.page
    type_query(page, "zbt")  # pinyin initials of 值班台
    options = page.locator(f"{RESULTS} a[role=option]").all_inner_texts()
    assert any(o.startswith("值班台（接报）") for o in options)
    web.screenshot("nav-search-pages")
    target = next(i for i, o in enumerate(options) if o.startswith("值班台（接报）"))
    for _ in range(target + 1):
        page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/incidents/")
    assert errors == []
    assert web.external_requests() == []


def test_county_user_finds_own_records_and_opens_one(web):
    web.login("zhangwu")
    page = web.page
    type_query(page, "储罐")
    results = page.inner_text(RESULTS)
    assert "突发事件" in results and "彰武县" in results
    assert "海州区" not in results and "阜新蒙古族自治县" not in results  # other counties' records never appear
    web.screenshot("nav-search-records")
    incident = page.locator(f"{RESULTS} li", has_text="储罐泄漏").locator("a").first
    title = incident.inner_text().split(" ")[0]
    with page.expect_navigation():
        incident.click()
    assert "/incidents/" in page.url and title in page.inner_text("main")
    # Enter without choosing a hit opens the full results page (which also works without scripts)
    type_query(page, "彰武")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/search/?q=" in page.url
    main = page.inner_text("main")
    assert "搜索：“彰武”" in main and "救援队伍" in main and "海州区" not in main
    web.screenshot("nav-search-page")
    assert web.external_requests() == []
