"""The public portal on a phone: every page passes axe-core (WCAG 2.1 A/AA rules) with no serious
or critical violation, loads under 100 KB of script on the first page, and a visitor finds the
nearest shelter and files a report without logging in."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import wait_until
from tests.conftest import ARTIFACTS, REPO, ZHANGWU_POINT
from yingji.social.public_reports import MIN_FILL_SECONDS

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


def _server_log_tail(platform, lines: int = 30) -> str:
    return "server log:\n" + "\n".join(platform.server_log.read_text(errors="replace").splitlines()[-lines:])


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
        # the report form refuses submissions made faster than a person fills it in (3 s after it
        # was served): the visitor takes that long to fill it here
        page.goto(platform.base_url + "/portal/report/")
        served = time.monotonic()
        page.check("input[name=kind][value=hazard]")
        page.fill("#description", "浏览器测试：路边广告牌松动，大风天有坠落危险")
        page.click("[data-locate]")
        wait_until(page, "document.querySelector('[name=lon]').value !== ''")
        page.wait_for_timeout(max(0.0, MIN_FILL_SECONDS + 1 - (time.monotonic() - served)) * 1000)
        try:
            with page.expect_navigation(timeout=60_000):
                page.click("button.primary")
        except PlaywrightTimeout as exc:
            raise AssertionError(f"no answer to the report within 60 s\n{_server_log_tail(platform)}") from exc
        if "/thanks/" not in page.url:
            alert = page.locator("[data-testid=report-error]")
            message = alert.inner_text() if alert.count() else page.inner_text("body")[:500]
            raise AssertionError(f"the report was not accepted: {message}\n{_server_log_tail(platform)}")
        assert "报告已提交" in page.inner_text("main")
        assert errors == []
    finally:
        context.close()
