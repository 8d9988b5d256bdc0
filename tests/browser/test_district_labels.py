"""District labels on the other maps (the risk map, the public warning map): every county is
named inside its area, and no two visible labels overlap (one that would is hidden)."""

import pytest

from tests.browser.conftest import wait_until
from tests.browser.test_one_map import VISIBLE_LABEL_BOXES, overlapping

pytestmark = pytest.mark.browser

FUXIN_COUNTIES = {"海州区", "新邱区", "太平区", "清河门区", "细河区", "阜新蒙古族自治县", "彰武县"}


def test_risk_and_public_maps_name_every_county_without_overlap(web):
    errors: list[str] = []
    web.page.on("pageerror", lambda exc: errors.append(str(exc)))
    web.page.goto(web.base_url + "/warnings/public/")
    wait_until(web.page, "document.querySelectorAll('.division-label').length >= 7")
    texts = set(web.page.locator(".division-label").evaluate_all("els => els.map(e => e.textContent)"))
    assert FUXIN_COUNTIES <= texts
    assert overlapping(web.page.evaluate(VISIBLE_LABEL_BOXES)) == []
    web.login("city")
    web.page.goto(web.base_url + "/hazards/risk-map/")
    web.page.wait_for_selector("#risk-map[data-ready='1']", timeout=30000)
    wait_until(web.page, "document.querySelectorAll('.division-label').length >= 7")
    labels = web.page.locator(".division-label").evaluate_all("els => els.map(e => e.textContent)")
    assert {name.split("（")[0] for name in labels} >= FUXIN_COUNTIES
    boxes = web.page.evaluate(VISIBLE_LABEL_BOXES)
    assert boxes and overlapping(boxes) == []
    web.screenshot("risk-map-labels")
    assert errors == []
