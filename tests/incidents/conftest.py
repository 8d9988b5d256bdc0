"""Fixtures: the city and two county duty rooms, a department, duty officers in each."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from tests.conftest import CITY, HAIZHOU, ZHANGWU, ZHANGWU_POINT

ART12 = {
    "unit_overview": "彰武测试化工有限公司，危险化学品生产企业，从业人员120人",
    "time_place_scene": "今日09时10分，厂区二号罐区，现场有刺激性气味",
    "brief_course": "操作工巡检时发现储罐法兰泄漏，随即起火",
    "casualties_and_loss": "暂无死亡，2人受伤",
    "measures_taken": "消防救援队伍已到场处置，周边500米人员已疏散",
    "other_matters": "",
}


@pytest.fixture
def units(db):
    from yingji.regions.models import Organisation

    def bureau(name, code):
        return Organisation.objects.create(name=name, kind="bureau", division_code=code, duty_phone="0418-0000000")

    return {
        "city": bureau("阜新市应急管理局", CITY),
        "zhangwu": bureau("彰武县应急管理局", ZHANGWU),
        "haizhou": bureau("海州区应急管理局", HAIZHOU),
        "police": Organisation.objects.create(name="阜新市公安局", kind="department", division_code=CITY),
    }


@pytest.fixture
def officers(units, make_user):
    return {
        "city": make_user("duty_city", "duty_officer", CITY),
        "zhangwu": make_user("duty_zw", "duty_officer", ZHANGWU),
        "haizhou": make_user("duty_hz", "duty_officer", HAIZHOU),
    }


@pytest.fixture
def intake_data():
    def make(**overrides):
        now = timezone.now()
        data = {
            "client_token": str(uuid.uuid4()),
            "title": "彰武县某化工企业储罐泄漏起火",
            "source": "phone",
            "type_code": "accident.hazchem",
            "received_at": now - dt.timedelta(minutes=5),
            "occurred_at": now - dt.timedelta(minutes=15),
            "division_code": ZHANGWU,
            "lon": ZHANGWU_POINT[0], "lat": ZHANGWU_POINT[1],
            "address": "彰武县测试工业园",
            "caller_name": "王值班", "caller_phone": "13900000000",
            "description": "储罐法兰泄漏起火，2人受伤",
            "injuries": 2,
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def incident(officers, intake_data):
    from yingji.incidents.services import take_call

    created, _ = take_call(officers["zhangwu"], intake_data())
    return created
