"""Relief logistics against the plans' targets: loaded within 4 h, delivered within 8 h of the
dispatch order; first emergency assistance within 10 h of the disaster."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.disasters.conftest import HZ_TOWN, ZW_TOWN_A
from yingji.core.errors import Conflict, Forbidden, ValidationFailed


def test_dispatch_timed_against_the_targets(people, event):
    from yingji.disasters.selectors import logistics
    from yingji.disasters.services import mark_dispatch, order_dispatch

    ordered = event.start_at + dt.timedelta(hours=1)
    d = order_dispatch(people["zhangwu"], event, {"items": "帐篷50顶", "division_code": ZW_TOWN_A, "ordered_at": ordered})
    row = logistics(event, people["city"])["dispatches"][0]
    assert row["load"][0] == "overdue"  # ordered 5 h ago, not loaded
    d = mark_dispatch(people["zhangwu"], d, "loaded", ordered + dt.timedelta(hours=3, minutes=30))
    with pytest.raises(Conflict):
        mark_dispatch(people["zhangwu"], d, "loaded")
    d = mark_dispatch(people["zhangwu"], d, "delivered", ordered + dt.timedelta(hours=8, minutes=30))
    row = logistics(event, people["city"])["dispatches"][0]
    assert row["load"] == ("met", 3.5) and row["deliver"] == ("late", 8.5)


def test_delivery_before_loading_is_refused(people, event):
    from yingji.disasters.services import mark_dispatch, order_dispatch

    d = order_dispatch(people["zhangwu"], event, {"items": "棉被100床", "division_code": ZW_TOWN_A})
    with pytest.raises(ValidationFailed, match="须先装运"):
        mark_dispatch(people["zhangwu"], d, "delivered")


def test_dispatch_scope_and_roles(people, event):
    from yingji.disasters.services import order_dispatch

    with pytest.raises(Forbidden):
        order_dispatch(people["zhangwu"], event, {"items": "x", "division_code": HZ_TOWN})
    with pytest.raises(Forbidden):
        order_dispatch(people["zw_duty"], event, {"items": "x", "division_code": ZW_TOWN_A})


def test_basic_aid_within_ten_hours(people, event):
    from yingji.disasters.selectors import logistics
    from yingji.disasters.services import record_payment

    assert logistics(event, people["city"])["basic_aid"][0] == "running"  # started 6 h ago
    record_payment(people["zhangwu"], event, {"category": "emergency", "head_name": "赵六", "head_id_number": "210922199001010022",
                                              "signer": "赵六", "division_code": ZW_TOWN_A,
                                              "paid_at": event.start_at + dt.timedelta(hours=5)})
    assert logistics(event, people["city"])["basic_aid"] == ("met", 5.0)


def test_event_page_shows_logistics(people, event):
    from yingji.disasters.services import order_dispatch

    order_dispatch(people["zhangwu"], event, {"items": "帐篷50顶", "division_code": ZW_TOWN_A})
    client = Client()
    assert client.login(username=people["zhangwu"].username, password=PASSWORD)
    html = client.get(f"/disasters/{event.pk}/").content.decode()
    assert "帐篷50顶" in html and "目标4小时" in html and "目标 10 小时内" in html
    d = event.dispatches.get()
    assert client.post(f"/disasters/{event.pk}/dispatches/{d.pk}/loaded/").status_code == 302
    d.refresh_from_db()
    assert d.loaded_at is not None


def test_dispatch_forms_follow_the_relief_logistics_capability(people, event, make_user):
    """Duty officers file reports but may not order dispatches (the service refuses them), so
    they are not offered the dispatch form; commanders may, and are. The page title is text."""
    commander = make_user("zw_cmd_d", "commander", "210922000000")
    pages = {}
    for name, user in (("duty", people["zw_duty"]), ("commander", commander)):
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        pages[name] = client.get(f"/disasters/{event.pk}/").content.decode()
    assert "下达调运指令" not in pages["duty"] and 'id="file-report"' in pages["duty"]
    assert "下达调运指令" in pages["commander"] and 'id="file-report"' not in pages["commander"]
    title = pages["duty"].split("<title>", 1)[1].split("</title>", 1)[0]
    assert event.title in title and "<section" not in title
