"""A simulated excursion pushed through the HTTP ingest API appears live (SSE) as an alarm
on the duty console, with sound, and is acknowledged there."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

pytestmark = pytest.mark.browser


def call(platform, path, token, body=None):
    request = urllib.request.Request(platform.base_url + path, method="POST" if body is not None else "GET",
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read())


def test_excursion_shows_up_live_and_is_acknowledged(web, platform):
    admin_token = platform.cli("token", "city").stdout.strip()
    device = call(platform, "/api/v1/monitoring/device-tokens", admin_token,
                  {"name": "浏览器测试网关", "division_code": "210921"})["token"]
    sensor = call(platform, "/api/v1/sensors/?q=TK05-TE", admin_token)["items"][0]

    web.login("duty")
    page = web.page
    page.goto(web.base_url + "/monitoring/")
    page.wait_for_selector("body[data-live='open']", timeout=15000)
    assert page.locator(f".alarm-card[data-sensor='{sensor['id']}']").count() == 0

    now = int(time.time() * 1000)
    readings = [{"s": "TK05-TE", "t": now - 3000, "v": 30.0}, {"s": "TK05-TE", "t": now - 1000, "v": 47.5}]
    result = call(platform, "/api/v1/ingest/", device, {"readings": readings})
    assert result["stored"] == 2

    # The threshold alarm (二级 at 45 ℃); the jump also trips the rate-of-change rule (三级).
    card = page.locator(f".alarm-card[data-sensor='{sensor['id']}'][data-level='2']")
    card.wait_for(timeout=10000)
    assert "二级（橙色）" in card.inner_text() and "47.5" in card.inner_text()
    assert card.get_attribute("data-state") == "raised"
    assert page.evaluate("window.yingjiLastBeep") is not None  # the new alarm sounded
    web.screenshot("monitoring-console-alarm")

    card.locator("[data-ack]").click()
    page.wait_for_selector(f".alarm-card[data-sensor='{sensor['id']}'][data-level='2'][data-state='acknowledged']",
                           timeout=10000)
    assert "已确认" in card.inner_text()
    # The acknowledgement is stored: the alarm page shows who acknowledged it.
    page.goto(web.base_url + "/monitoring/alarms/?open=1&level=2")
    page.click(f"text={sensor['name']}")
    assert "已确认" in page.inner_text("[data-testid=alarm-state]")
    assert "值班台确认" in page.inner_text("main")
    web.screenshot("monitoring-alarm-detail")
    assert web.external_requests() == []
    page.goto("about:blank")  # close the page's SSE stream so the server can shut down promptly
