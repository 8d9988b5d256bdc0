"""The field app on a phone: it installs (service worker and manifest from our own origin),
keeps working with no network — two reports with photos wait in IndexedDB — and when the
network returns both are synced exactly once, even when the device sends them again."""

from __future__ import annotations

import io

import pytest

from tests.browser.conftest import DEMO_PASSWORD, wait_until
from tests.conftest import ARTIFACTS, ZHANGWU_POINT

pytestmark = pytest.mark.browser


def _png(colour) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _file_report(page, title: str, colour) -> None:
    page.select_option("#f-kind", "loss")
    page.fill("#f-title", title)
    page.fill("#f-description", "房屋墙体开裂（浏览器测试）")
    page.fill("#f-affected_population", "7")
    page.set_input_files("#f-photos", files=[{"name": "scene.png", "mimeType": "image/png", "buffer": _png(colour)}])
    page.click("[data-gps]")
    wait_until(page, "document.querySelector('[name=lon]').value !== ''")
    page.click("[data-testid=save-report]")


def test_offline_reports_with_photos_sync_exactly_once(browser, platform):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True, permissions=["geolocation"],
                                  geolocation={"longitude": ZHANGWU_POINT[0], "latitude": ZHANGWU_POINT[1]})
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(platform.base_url + "/login/?next=/social/field/")
        page.fill("input[name=username]", "xinxiyuan")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: url.endswith("/social/field/"))
        # installable: the manifest is linked and the service worker controls the page
        manifest = page.evaluate("fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())")
        assert manifest["display"] == "standalone" and manifest["start_url"] == "/social/field/"
        wait_until(page, "document.body.dataset.swReady === '1'")
        page.reload()
        wait_until(page, "navigator.serviceWorker.controller !== null")
        before = page.evaluate("fetch('/social/field/reports/').then(r => r.json()).then(d => d.items.length)")

        context.set_offline(True)
        wait_until(page, "document.querySelector('[data-net]').textContent.startsWith('离线')")
        _file_report(page, "浏览器离线报送一", (200, 40, 40))
        _file_report(page, "浏览器离线报送二", (40, 40, 200))
        wait_until(page, "document.querySelector('[data-outbox-summary]').dataset.pending === '2'")
        # the app itself opens with no network (its shell comes from the service worker)
        page.reload()
        wait_until(page, "document.querySelector('[data-outbox-summary]').dataset.pending === '2'")
        assert page.locator("[data-testid=outbox-item][data-state=pending]").count() == 2
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "field-app-offline.png"), full_page=True)

        context.set_offline(False)
        wait_until(page, "document.querySelector('[data-outbox-summary]').dataset.synced === '2'")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(ARTIFACTS / "field-app-synced.png"), full_page=True)
        # the device sends both again (say it never saw the answers): the server keeps one of each
        answers = page.evaluate("""yingjiField.all().then(items => Promise.all(items
            .filter(i => i.payload.title.startsWith('浏览器离线报送'))
            .map(i => yingjiField.resend(i.client_id).then(r => r.status))))""")
        assert answers == [200, 200]
        items = page.evaluate("fetch('/social/field/reports/').then(r => r.json()).then(d => d.items)")
        ours = [i for i in items if i["title"].startswith("浏览器离线报送")]
        assert len(items) == before + 2 and sorted(i["title"] for i in ours) == ["浏览器离线报送一", "浏览器离线报送二"]
        assert all(i["photos"] == 1 for i in ours)
        assert errors == []
    finally:
        context.close()
