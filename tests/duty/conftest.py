"""Fixtures of the duty tests: the duty rooms, and a fixed clock.

Rosters are built for "this month" and shifts start at 08:30, so what is on duty depends on the
date and hour. Every duty test runs at ``DUTY_NOW`` (mid-month, mid-morning, Beijing time)
through time-machine; the clock ticks from there so records still get increasing timestamps."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import CITY, HAIZHOU, ZHANGWU

BEIJING = ZoneInfo("Asia/Shanghai")
DUTY_NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(DUTY_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def duty_units(db):
    from yingji.regions.models import Organisation

    return {
        "city": Organisation.objects.create(name="阜新市应急管理局", kind="bureau", division_code=CITY),
        "zhangwu": Organisation.objects.create(name="彰武县应急管理局", kind="bureau", division_code=ZHANGWU),
        "haizhou": Organisation.objects.create(name="海州区应急管理局", kind="bureau", division_code=HAIZHOU),
        "police": Organisation.objects.create(name="阜新市公安局", kind="department", division_code=CITY),
    }
