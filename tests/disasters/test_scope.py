"""Scope: a county files only for its own divisions; events are seen through their affected
divisions; roles without write rights are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import CITY, HAIZHOU, ZHANGWU
from tests.disasters.conftest import HZ_TOWN, ZW_TOWN_A
from yingji.core.errors import Forbidden, ValidationFailed


def test_a_county_user_cannot_file_for_another_county(people, event, file):
    with pytest.raises(Forbidden, match="不在您的管辖范围内"):
        file("zhangwu", event, "initial", HZ_TOWN, affected_population=5)
    with pytest.raises(Forbidden):
        file("zhangwu", event, "initial", HAIZHOU)
    with pytest.raises(Forbidden):
        file("zhangwu", event, "initial", CITY)


def test_a_county_sees_the_city_event_that_affects_it_but_not_others(people, event, make_user):
    from yingji.disasters import selectors
    from yingji.disasters.services import create_event

    other = create_event(people["city"], {"title": "只影响海州区的过程", "hazard_type": "wind_hail",
                                          "start_at": timezone.now(), "division_code": CITY,
                                          "affected_codes": [HAIZHOU]})
    assert list(selectors.visible_events(people["zhangwu"])) == [event]
    assert set(selectors.visible_events(people["haizhou"])) == {event, other}
    with pytest.raises(Forbidden):
        selectors.get_event(people["zhangwu"], other.pk)
    lone = make_user("tl_admin_d", "county_admin", "211282000000")  # 开原市: not in Fuxin
    assert list(selectors.visible_events(lone)) == []


def test_a_county_cannot_stabilise_the_city_event(people, event):
    from yingji.disasters.services import mark_stabilised

    with pytest.raises(Forbidden):
        mark_stabilised(people["zhangwu"], event)


def test_readonly_users_cannot_file_or_create(people, event, file):
    from yingji.disasters.services import create_event

    with pytest.raises(Forbidden, match="无权"):
        file("viewer", event, "initial", ZW_TOWN_A)
    with pytest.raises(Forbidden):
        create_event(people["viewer"], {"title": "x", "hazard_type": "flood", "start_at": timezone.now()})


def test_duty_officer_of_the_county_may_file(people, event, file):
    assert file("zw_duty", event, "initial", ZW_TOWN_A, affected_population=3).division_code == ZW_TOWN_A


def test_a_county_event_cannot_take_reports_from_outside_it(people, file):
    from yingji.disasters.services import create_event

    county_event = create_event(people["zhangwu"], {"title": "彰武县冰雹", "hazard_type": "wind_hail",
                                                    "start_at": timezone.now() - dt.timedelta(hours=1)})
    assert county_event.division_code == ZHANGWU
    with pytest.raises(ValidationFailed, match="不在灾害过程"):
        file("city", county_event, "initial", CITY)


def test_affected_divisions_must_lie_inside_the_event(people):
    from yingji.disasters.services import create_event

    with pytest.raises(ValidationFailed, match="不在本灾害过程的区划内"):
        create_event(people["zhangwu"], {"title": "x", "hazard_type": "flood", "start_at": timezone.now(),
                                         "affected_codes": [HAIZHOU]})
    with pytest.raises(Forbidden):
        create_event(people["zhangwu"], {"title": "x", "hazard_type": "flood", "start_at": timezone.now(),
                                         "division_code": CITY})


def test_linking_incidents_and_warnings_is_scoped_and_audited(people, event):
    from yingji.audit.models import AuditEntry
    from yingji.core.errors import NotFound
    from yingji.disasters.services import link_records

    with pytest.raises(NotFound):
        link_records(people["city"], event, incident_ids=[999999])
    link_records(people["city"], event, incident_ids=[], warning_ids=[])
    assert AuditEntry.objects.filter(model="disasters.DisasterEvent", note="关联突发事件与预警").exists()
