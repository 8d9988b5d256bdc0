"""The coverage, allocation and evacuation pages of an incident (Django test client): inputs
pre-filled from the incident, results as tables with shortages and gaps highlighted, CSV export,
bad input answered in Chinese with nothing written."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.command.test_command_allocation import stocked  # noqa: F401  (fixture)


@pytest.fixture
def web(stocked):  # noqa: F811
    admin, _, _ = stocked
    client = Client()
    client.force_login(admin)
    return client


def test_coverage_allocation_and_evacuation_pages(web, stocked, make_incident, make_team):  # noqa: F811
    from yingji.audit.models import AuditEntry
    from yingji.resources.models import Shelter

    make_team("危化救援队（示例）", (121.75, 42.08))
    Shelter.objects.create(name="海州广场避难场所（示例）", shelter_type="emergency", level="county", total_area_m2=150,
                           effective_area_m2=150, manager="管理人", manager_phone="13900000003", lon=121.66, lat=42.02,
                           division_code="210902000000")
    incident = make_incident(point=(121.67, 42.03), division="210902000000")
    audit_before = AuditEntry.objects.count()

    page = web.get(f"/command/incident/{incident.pk}/")
    assert f"/command/incident/{incident.pk}/coverage/" in page.content.decode()

    coverage = web.get(f"/command/incident/{incident.pk}/coverage/", {"limit": 15})
    assert coverage.status_code == 200
    body = coverage.content.decode()
    assert coverage.context["specialty"] == "危化"  # pre-filled from the incident type
    result = coverage.context["result"]
    assert result["teams"] == 1 and "15 分钟内" in body
    if result["uncovered"]:
        assert "row-alert" in body
    longer = web.get(f"/command/incident/{incident.pk}/coverage/", {"limit": 120}).context["result"]
    assert longer["territory_share"] >= result["territory_share"]

    form = web.get(f"/command/incident/{incident.pk}/allocation/")
    text = form.context["demands_text"]
    assert "121.67,42.03" in text and form.context["result"] is None
    demands = "甲镇,121.75,42.10,救灾帐篷:4\n乙镇,122.30,42.45,救灾帐篷:20"  # materials by name
    alloc = web.get(f"/command/incident/{incident.pk}/allocation/", {"demands": demands, "time_limit_h": 8,
                                                                    "load_hours": 4, "run": 1})
    result = alloc.context["result"]
    assert sum(f["quantity"] for f in result["flows"]) == 11 and result["shortages"]
    assert "row-alert" in alloc.content.decode() and "乙镇" in alloc.context["shortage_demands"]
    csv = web.get(f"/command/incident/{incident.pk}/allocation/", {"demands": demands, "run": 1, "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("储备库,需求点,物资") and any(line.startswith("（缺口）,乙镇") for line in lines)
    bad = web.get(f"/command/incident/{incident.pk}/allocation/", {"demands": "甲镇,abc,42.1,救灾帐篷:4", "run": 1})
    assert bad.status_code == 200 and "“abc”不是数字" in bad.content.decode()

    evac = web.get(f"/command/incident/{incident.pk}/evacuation/")
    assert "121.67,42.03,500" in evac.context["points_text"]
    run = web.get(f"/command/incident/{incident.pk}/evacuation/", {"points": evac.context["points_text"], "limit": 30,
                                                                    "run": 1})
    result = run.context["result"]
    assert [a["people"] for a in result["assignments"]] == [99] and result["unassigned"][0]["people"] == 401
    assert "row-alert" in run.content.decode()
    assert AuditEntry.objects.count() == audit_before  # analyses write nothing
