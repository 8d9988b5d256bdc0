"""The public portal on a phone: every page passes axe-core (WCAG 2.1 A/AA rules) with no serious
or critical violation, loads under 100 KB of script on the first page, and a visitor finds the
nearest shelter and files a report without logging in."""

from __future__ import annotations

import pytest

from tests.browser.conftest import wait_until
from tests.conftest import ARTIFACTS, REPO, ZHANGWU_POINT

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/portal/", "/portal/warnings/", "/portal/shelters/", "/portal/report/", "/portal/plans/", "/portal/articles/",
         "/portal/decisions/", "/portal/volunteer/"]


def _axe(page) -> list[dict]:
    # Injected through the DevTools protocol (page.evaluate), which the page's CSP does not govern;
    # the portal itself never loads it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
        .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)})))""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def test_portal_pages_are_accessible_light_and_usable_on_a_phone(browser, platform):
    assert AXE.exists(), "axe-core is missing: run ./run setup (npm)"
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True, permissions=["geolocation"],
                                  geolocation={"longitude": ZHANGWU_POINT[0], "latitude": ZHANGWU_POINT[1]})
    try:
        page = context.new_page()
        scripts: list[int] = []
        page.on("response", lambda r: scripts.append(len(r.body())) if r.request.resource_type == "script" else None)
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # the report form is opened first and sent last: it refuses submissions made faster than a
        # person fills it in (3 s after it was served), and the checks below take longer than that
        form = context.new_page()
        form.goto(platform.base_url + "/portal/report/")
        form.check("input[name=kind][value=hazard]")
        form.fill("#description", "浏览器测试：路边广告牌松动，大风天有坠落危险")
        form.click("[data-locate]")
        wait_until(form, "document.querySelector('[name=lon]').value !== ''")
        failures = {}
        for path in PAGES:
            scripts.clear()
            page.goto(platform.base_url + path)
            if path == "/portal/":
                assert sum(scripts) < 100 * 1024, f"first page loads {sum(scripts)} bytes of script"
                assert "当前生效的预警" in page.inner_text("main")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
            bad = _axe(page)
            if bad:
                failures[path] = bad
        assert failures == {}
        # the nearest shelter from the visitor's position, then a report, all without a login
        page.goto(platform.base_url + "/portal/shelters/")
        page.click("[data-locate]")
        page.wait_for_url(lambda url: "lon=" in url)
        assert page.locator("[data-testid=nearest-shelter]").count() >= 1
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "portal-shelters-phone.png"), full_page=True)
        form.click("button.primary")
        form.wait_for_url(lambda url: "/thanks/" in url)
        assert "报告已提交" in form.inner_text("main")
        assert errors == []
    finally:
        context.close()
