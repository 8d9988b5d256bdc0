"""Fixtures of the enforcement tests: a fixed clock, certified inspectors, the bureau's users."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.conftest import CITY, ZHANGWU

NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Monday


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(make_user, enterprises):
    """The county's supervisor, the city's administrator (law review, decisions), the enterprise user."""
    return {
        "supervisor": make_user("zw_supervisor", "supervisor", ZHANGWU),
        "admin": make_user("city_admin", "city_admin", CITY),
        "county": make_user("zw_admin", "county_admin", ZHANGWU),
        "enterprise": make_user("zw_qiye", "enterprise", ZHANGWU, enterprise=enterprises[0]),
        "viewer": make_user("viewer", "readonly", CITY),
    }


@pytest.fixture
def inspectors(db):
    from yingji.enforcement.models import Inspector

    def make(name, number, until=dt.date(2028, 12, 31), active=True, division=ZHANGWU):
        return Inspector.objects.create(name=name, organisation="彰武县应急管理局", certificate_number=number,
                                        valid_until=until, active=active, division_code=division)

    return [make("王执法", "21090001"), make("李执法", "21090002"), make("赵执法", "21090003", until=dt.date(2026, 3, 31))]


def inspected(user, enterprise, inspectors, *, findings=(("储罐区可燃气体报警器未定期检定", "general"),),
              day="2026-05-20"):
    """An inspection recorded on site with findings (not yet ordered)."""
    from yingji.enforcement import inspections as service

    inspection = service.schedule(user, {"enterprise": enterprise, "inspector_a": inspectors[0],
                                         "inspector_b": inspectors[1], "planned_on": day, "source": "complaint"})
    service.record_on_site(user, inspection.pk, {"inspected_on": day, "summary": "检查了储罐区、仓库和特殊作业票证",
                                                 "signed_by": "张厂长"})
    for description, grade in findings:
        service.add_finding(user, inspection.pk, {"description": description, "grade": grade,
                                                  "clause": "GB 50493-2019 第4.1.1条"})
    return inspection
