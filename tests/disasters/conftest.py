"""Fixtures: a city flood event affecting two counties; administrators in the city and in each
county; a township in each county."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import CITY, HAIZHOU, ZHANGWU

ZW_TOWN_A = "210922100000"  # 彰武镇
ZW_TOWN_B = "210922101000"  # 哈尔套镇
HZ_TOWN = "210902101000"  # 韩家店镇


@pytest.fixture
def people(make_user):
    return {
        "city": make_user("city_admin_d", "city_admin", CITY),
        "zhangwu": make_user("zw_admin_d", "county_admin", ZHANGWU),
        "haizhou": make_user("hz_admin_d", "county_admin", HAIZHOU),
        "zw_duty": make_user("zw_duty_d", "duty_officer", ZHANGWU),
        "viewer": make_user("viewer_d", "readonly", CITY),
    }


@pytest.fixture
def event(people):
    from yingji.disasters.services import create_event

    return create_event(people["city"], {
        "title": "测试暴雨洪涝过程", "hazard_type": "flood", "start_at": timezone.now() - dt.timedelta(hours=6),
        "division_code": CITY, "affected_codes": [ZHANGWU, HAIZHOU],
    })


@pytest.fixture
def file(people):
    from yingji.disasters.services import file_report

    def make(user, event, stage, division, **figures):
        data = {"stage": stage, "reporter": "测试填报人", "division_code": division, **figures}
        return file_report(people[user] if isinstance(user, str) else user, event, data)

    return make
