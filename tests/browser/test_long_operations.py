"""Long operations show a progress bar and end with a summary in Chinese (issue 14): a large
spreadsheet import runs in the background and its bar moves; a warning to 300,000 subscribers is
published at once, its delivery list is built in the background with a live bar, and the page ends
with the summary (counts, time)."""

import pytest

from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser

IMPORT_ROWS = 4_000  # about 190 KB: above the size answered in the request
BULK = 300_000
BULK_NAME = "合成压测（浏览器测试）"

LOAD_BULK = f"""
from django.db import connection, transaction
from django.utils import timezone
from yingji.warnings.models import ChannelConfig
now = timezone.now()
sql = ("INSERT INTO warnings_subscriber (division_code, is_synthetic, version, created_at, updated_at, lon, lat, "
       "coord_source, phone, name, active, source) VALUES ('210922000000', %s, 1, %s, %s, NULL, NULL, 'WGS84', %s, %s, %s, 'import')")
with transaction.atomic(), connection.cursor() as cursor:
    for start in range(0, {BULK}, 50000):
        cursor.executemany(sql, [(True, now, now, f"1{{500000000 + i:010d}}", "{BULK_NAME}", True)
                                 for i in range(start, min({BULK}, start + 50000))])
ChannelConfig.objects.filter(channel="sms").update(enabled=True, endpoint="http://127.0.0.1:9/sms")
"""

CLEAN_BULK = f"""
from yingji.warnings.models import ChannelConfig, Delivery, Subscriber, Warning
Delivery.objects.filter(warning__event="浏览器压测暴雨").update(status="cancelled")
Subscriber.objects.filter(name="{BULK_NAME}").delete()
ChannelConfig.objects.filter(channel="sms").update(enabled=False, endpoint="")
"""


def _as(web, username):
    web.page.context.clear_cookies()
    web.login(username)


def _bar_values(page, timeout_s: float, done_selector: str) -> list[tuple[float, float]]:
    """(value, max) of the progress bar every 100 ms until the summary shows."""
    from playwright.sync_api import Error

    seen = []
    for _ in range(int(timeout_s * 10)):
        try:
            state = page.evaluate("""(sel) => {
                if (document.querySelector(sel)) return "done";
                const bar = document.querySelector("[data-progress] progress");
                return bar ? [bar.value, bar.max] : null; }""", done_selector)
        except Error:  # the page reloads when the operation has ended
            state = None
        if state == "done":
            return seen
        if state:
            seen.append(tuple(state))
        page.wait_for_timeout(100)
    raise AssertionError(f"no summary after {timeout_s} s; bar values seen: {seen[-5:]}")


def test_large_import_shows_moving_progress_and_a_summary(web, tmp_path):
    page = web.page
    _as(web, "duty")
    rows = "\n".join(f"1{600000000 + i:010d},浏览器测试导入的订阅用户,210922" for i in range(IMPORT_ROWS))
    upload = tmp_path / "订阅用户.csv"
    upload.write_text("手机号码,称呼,所属行政区划\n" + rows + "\n", encoding="utf-8")
    assert upload.stat().st_size > 150_000
    page.goto(web.base_url + "/resources/import/subscribers/")
    page.set_input_files("input[name=file]", str(upload))
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=progress], [data-testid=import-summary]")
    assert page.locator("[data-testid=progress]").count() == 1, "a large file is imported in the background"
    web.screenshot("import-progress")
    seen = _bar_values(page, 180, "[data-testid=import-summary]")
    assert any(0 < value < top for value, top in seen), f"the bar never showed a partial value: {seen[:10]}"
    summary = page.inner_text("[data-testid=import-summary]")
    assert f"导入成功：共 {IMPORT_ROWS} 行，新增 {IMPORT_ROWS} 条" in summary
    counts = page.inner_text("[data-testid=import-counts]")
    assert "用时" in counts and "秒" in counts
    web.screenshot("import-summary")


@pytest.fixture
def bulk_subscribers(platform):
    platform.cli("manage", "shell", "-c", LOAD_BULK)
    yield
    platform.cli("manage", "shell", "-c", CLEAN_BULK)


def _act(web, url, action):
    web.page.goto(url)
    web.page.click(f"[data-testid=act-{action}]")
    web.page.wait_for_selector(".messages")


def test_bulk_targeting_shows_live_progress_and_a_summary(web, bulk_subscribers):
    page = web.page
    _as(web, "duty")
    page.goto(web.base_url + "/warnings/new/")
    page.fill("input[name=event]", "浏览器压测暴雨")
    page.select_option("select[name=level]", "3")
    page.fill("input[name=area_desc]", "彰武县全境（浏览器测试）")
    page.check("input[name=area_codes][value='210922000000']")
    page.fill("textarea[name=description]", "预计未来12小时彰武县将出现暴雨。")
    page.fill("textarea[name=instruction]", "注意防范山洪和城市内涝。")
    assert page.locator("input[name=channels][value=sms]").is_checked()
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=warning-state]")
    url = page.url
    _act(web, url, "submit")
    _as(web, "city")
    _act(web, url, "approve")
    _as(web, "commander")
    _act(web, url, "sign")
    _as(web, "duty")
    _act(web, url, "publish")
    # The warning is published at once; the delivery list of 300,000+ is still being built.
    assert page.inner_text("[data-testid=warning-state]") == "已发布"
    assert "投递名单正在后台生成" in page.inner_text(".messages")
    assert page.locator("[data-testid=progress]").count() == 1
    web.screenshot("warning-targeting-progress")
    seen = _bar_values(page, 240, "[data-testid=targeting-summary]")
    assert seen, "the progress bar was shown"
    summary = page.inner_text("[data-testid=targeting-summary]")
    assert "投递名单已生成：共" in summary and "用时" in summary and "后台生成" in summary
    public = int(summary.split("公众 ")[1].split(" 条")[0].replace(",", ""))
    assert public >= BULK
    wait_until(page, "!document.querySelector('[data-testid=progress]')")
    web.screenshot("warning-targeting-summary")
