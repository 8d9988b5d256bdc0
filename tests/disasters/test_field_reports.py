"""Reports from the field: a village 灾害信息员 files (待县级审核, counted nowhere yet); the county
reviews, corrects with a recorded reason (before and after kept, audited) and submits upward;
the city total changes only then."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import CITY, HAIZHOU, PASSWORD, ZHANGWU
from tests.disasters.conftest import ZW_TOWN_A
from yingji.core.errors import Conflict, Forbidden, ValidationFailed

VILLAGE = "210922100201"  # a village under 彰武镇 (villages are accepted below a known township)


@pytest.fixture
def officer(make_user):
    return make_user("zw_officer_d", "info_officer", VILLAGE)


def test_an_officers_report_waits_for_review_and_counts_nowhere(people, event, file, officer):
    from yingji.disasters import selectors

    file("zhangwu", event, "initial", ZW_TOWN_A, affected_population=100)
    report = file(officer, event, "initial", VILLAGE, affected_population=40)
    assert report.review_state == "pending"
    assert selectors.event_totals(event)["affected_population"] == 100
    # the county's own figure is not compared with a pending report
    assert selectors.differences_from_parts(event, ZHANGWU, {**selectors.zero(), "affected_population": 100}) == []


def test_the_county_corrects_with_a_reason_and_the_city_total_changes(people, event, file, officer):
    from yingji.audit.models import AuditEntry
    from yingji.disasters import selectors
    from yingji.disasters.services import review_report

    file("haizhou", event, "initial", HAIZHOU, affected_population=500)
    report = file(officer, event, "initial", VILLAGE, affected_population=40, deaths=1, direct_loss_wan="12.5")
    assert selectors.event_totals(event)["affected_population"] == 500
    with pytest.raises(ValidationFailed, match="须填写更正原因") as exc:
        review_report(people["zhangwu"], report, {"affected_population": "45"})
    assert exc.value.code == "correction_unexplained"
    reviewed = review_report(people["zhangwu"], report, {"affected_population": "45", "deaths": "1"},
                             "电话核实：漏报村东组5人")
    assert reviewed.review_state == "accepted" and reviewed.reviewed_by == people["zhangwu"]
    assert reviewed.corrections == [{"field": "affected_population", "before": "40", "after": "45"}]
    assert reviewed.affected_population == 45
    totals = selectors.event_totals(event)
    assert totals["affected_population"] == 545 and totals["deaths"] == 1
    entry = AuditEntry.objects.filter(model="disasters.LossReport", object_id=str(report.pk), action="transition").get()
    assert entry.before["affected_population"] == 40 and entry.after["affected_population"] == 45
    assert "电话核实" in entry.note
    with pytest.raises(Conflict, match="已于"):
        review_report(people["zhangwu"], reviewed, {}, "")


def test_accepting_without_change_needs_no_reason(people, event, file, officer):
    from yingji.disasters.services import review_report

    report = file(officer, event, "initial", VILLAGE, affected_population=40)
    reviewed = review_report(people["zhangwu"], report, {"affected_population": "40"}, "")
    assert reviewed.review_state == "accepted" and reviewed.corrections == []


def test_who_may_review(people, event, file, officer, make_user):
    from yingji.disasters.services import review_report

    report = file(officer, event, "initial", VILLAGE, affected_population=40)
    with pytest.raises(Forbidden, match="无权审核"):
        review_report(officer, report, {}, "")
    with pytest.raises(Forbidden, match="管辖范围|不在"):
        review_report(people["haizhou"], report, {}, "")
    own_level = make_user("village_admin_d", "county_admin", VILLAGE)
    with pytest.raises(Forbidden, match="下级"):
        review_report(own_level, report, {}, "")
    # an invalid correction is refused and nothing is written
    with pytest.raises(ValidationFailed):
        review_report(people["zhangwu"], report, {"crop_affected_ha": "1", "crop_damaged_ha": "5"}, "核实")
    report.refresh_from_db()
    assert report.review_state == "pending" and report.crop_damaged_ha == 0


def test_officer_may_only_file_inside_the_village(people, event, file, officer):
    with pytest.raises(Forbidden, match="管辖范围"):
        file(officer, event, "initial", ZW_TOWN_A, affected_population=1)
    with pytest.raises(Forbidden):
        from yingji.disasters.services import create_event
        create_event(officer, {"title": "x", "hazard_type": "flood", "start_at": "2025-07-01 08:00",
                               "division_code": VILLAGE})


def test_review_pages(people, event, file, officer):
    client = Client()
    assert client.login(username=officer.username, password=PASSWORD)
    page = client.get(f"/disasters/{event.pk}/report/").content.decode()
    assert "县级审核" in page and 'name="affected_population"' in page
    response = client.post(f"/disasters/{event.pk}/report/", {
        "stage": "initial", "division_code": VILLAGE, "reporter": "王信息员", "affected_population": "30"})
    assert response.status_code == 302
    detail = client.get(f"/disasters/{event.pk}/").content.decode()
    assert "待县级审核" in detail and "审核通过并上报" not in detail
    report = event.reports.get(division_code=VILLAGE)

    county = Client()
    assert county.login(username=people["zhangwu"].username, password=PASSWORD)
    detail = county.get(f"/disasters/{event.pk}/").content.decode()
    assert "待审核的下级报告（1）" in detail
    form = county.get(f"/disasters/{event.pk}/reports/{report.pk}/review/").content.decode()
    assert "报送 30" in form
    refused = county.post(f"/disasters/{event.pk}/reports/{report.pk}/review/", {"affected_population": "33"})
    assert refused.status_code == 400 and "须填写更正原因" in refused.content.decode()
    done = county.post(f"/disasters/{event.pk}/reports/{report.pk}/review/",
                       {"affected_population": "33", "correction_reason": "核实补报3人"})
    assert done.status_code == 302
    city = Client()
    assert city.login(username=people["city"].username, password=PASSWORD)
    detail = city.get(f"/disasters/{event.pk}/").content.decode()
    assert "受灾人口（人） 30 → 33" in detail and "核实补报3人" in detail


def test_review_through_the_api(people, event, file, officer, api_client):
    report = file(officer, event, "initial", VILLAGE, affected_population=40)
    client = api_client(people["zhangwu"])
    url = f"/api/v1/disasters/{event.pk}/reports/{report.pk}/review"
    bad = client.post(url, {"figures": {"affected_population": 41}}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "correction_unexplained"
    ok = client.post(url, {"figures": {"affected_population": 41}, "correction_reason": "核实"},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["review_state"] == "accepted"
    assert ok.json()["corrections"] == [{"field": "affected_population", "before": "40", "after": "41"}]
    again = client.post(url, {}, content_type="application/json")
    assert again.status_code == 409
