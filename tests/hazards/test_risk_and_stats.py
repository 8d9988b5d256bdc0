"""Risk points (LEC / matrix) with recorded band settings, the four-colour map, statistics,
overdue lists and the .xlsx export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from tests.conftest import CITY, ZHANGWU, post_json
from yingji.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def lec(enterprise, l, e, c, name="液氯库") -> dict:
    return {"enterprise": enterprise.pk, "name": name, "method": "LEC", "lec_l": l, "lec_e": e, "lec_c": c}


@pytest.mark.parametrize("factors, level, colour", [
    (("10", "6", "15"), 1, "red"),       # D = 900
    (("1", "6", "40"), 2, "orange"),     # D = 240
    (("3", "6", "7"), 3, "yellow"),      # D = 126
    (("1", "10", "7"), 3, "yellow"),     # D = 70 → 低 under the default (70 belongs to the lower band)? no: 70 ≤ 70 → blue
])
def test_lec_points_take_the_four_colours(factors, level, colour, people, enterprises, registries):
    point = registries["risk-points"].create(people["supervisor"], lec(enterprises[0], *factors))
    expected = (4, "blue") if factors == ("1", "10", "7") else (level, colour)
    assert (point.level, point.colour_code) == expected
    assert "D = L×E×C" in point.assessment


@pytest.mark.parametrize("l, s, level", [(4, 5, 1), (5, 4, 1), (3, 5, 2), (4, 4, 2), (3, 3, 3), (3, 4, 3), (2, 4, 4), (1, 1, 4)])
def test_matrix_points_band_at_20_15_9(l, s, level, people, enterprises, registries):
    point = registries["risk-points"].create(people["supervisor"], {
        "enterprise": enterprises[0].pk, "name": "罐区", "method": "LS", "matrix_l": l, "matrix_s": s})
    assert point.level == level and point.score == l * s


def test_band_boundaries_are_a_recorded_setting(people, enterprises, registries, make_user):
    admin = make_user("ca", "city_admin", CITY)
    before = registries["risk-points"].create(people["supervisor"], lec(enterprises[0], "1", "10", "7"))
    assert before.level == 4  # D = 70, the default makes 70 the top of 低风险
    registries["hazard-rule-settings"].create(admin, {
        "name": "阜新市", "division_code": CITY, "beta_choice": "maximum", "beta_without_category": "1",
        "shared_key_policy": "require_specification", "decimal_places": 6, "lec_cut_major": 320, "lec_cut_high": 160,
        "lec_cut_general": 70, "lec_cut_owner": "higher", "matrix_cut_major": 20, "matrix_cut_high": 15,
        "matrix_cut_general": 9, "matrix_cut_owner": "higher"})
    after = registries["risk-points"].create(people["supervisor"], lec(enterprises[0], "1", "10", "7", name="新点"))
    assert after.level == 3 and after.band_settings["lec_cut_owner"] == "higher"


def test_invalid_factors_are_refused_in_chinese(people, enterprises, registries, api_client):
    with pytest.raises(ValidationFailed, match=r"L（可能性）：LEC 评价须填写 E、C") as refused:
        registries["risk-points"].create(people["supervisor"], {"enterprise": enterprises[0].pk, "name": "x",
                                                                "method": "LEC", "lec_l": "10"})
    assert "E" in refused.value.message and "C" in refused.value.message
    response = post_json(api_client(people["supervisor"]), "/api/v1/risk-points/", {
        "enterprise_id": enterprises[0].pk, "name": "x", "method": "LS", "matrix_l": 7, "matrix_s": 1})
    assert response.status_code == 400


def test_risk_map_by_enterprise_and_division(people, enterprises, registries, api_client):
    own, other = enterprises
    registries["risk-points"].create(people["supervisor"], lec(own, "10", "6", "15"))
    registries["risk-points"].create(people["supervisor"], lec(own, "3", "6", "7", name="仓库"))
    registries["risk-points"].create(people["city"], lec(other, "1", "6", "7", name="调压站"))
    data = api_client(people["city"]).get("/api/v1/hazards/risk-map").json()
    by_name = {e["name"]: e for e in data["enterprises"]}
    assert by_name[own.name]["colour_code"] == "red" and by_name[own.name]["counts"] == {"1": 1, "2": 0, "3": 1, "4": 0}
    assert by_name[other.name]["colour_code"] == "blue"
    counties = {c["name"]: c["level_name"] for c in data["counties"]}
    assert counties == {"彰武县": "重大风险", "海州区": "低风险"}
    # A county user sees only its own county; an enterprise user only its own points.
    assert [c["name"] for c in api_client(people["supervisor"]).get("/api/v1/hazards/risk-map").json()["counties"]] == ["彰武县"]
    mine = api_client(people["other_enterprise"]).get("/api/v1/hazards/risk-map").json()
    assert [e["name"] for e in mine["enterprises"]] == [other.name]
    features = api_client(people["city"]).get("/api/v1/hazards/risk-map/points").json()["features"]
    assert {f["properties"]["color"] for f in features} == {"#FF0000", "#FFD700", "#1E90FF"}


def test_risk_list_export_is_the_filtered_view(people, enterprises, registries, client):
    from openpyxl import load_workbook

    own, other = enterprises
    registries["risk-points"].create(people["supervisor"], lec(own, "10", "6", "15"))
    registries["risk-points"].create(people["city"], lec(other, "1", "6", "7", name="调压站"))
    client.force_login(people["city"])
    response = client.get(f"/r/risk-points/export/?format=xlsx&enterprise={own.pk}")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["风险点名称"] == "液氯库" and row["风险等级"] == "重大风险" and "重大风险（红色）" in row["评价过程"]


@pytest.fixture
def hazards_in_states(enterprises, people, registries):
    from yingji.hazards.models import HiddenHazard

    today = timezone.localdate()
    specs = [("rectifying", "general", today - dt.timedelta(days=3), enterprises[0]),
             ("closed", "general", today - dt.timedelta(days=30), enterprises[0]),
             ("rectifying", "major", today - dt.timedelta(days=20), enterprises[0]),
             ("pending_review", "general", today - dt.timedelta(days=9), enterprises[1]),
             ("rectifying", "general", today + dt.timedelta(days=9), enterprises[1])]
    rows = []
    for i, (state, grade, deadline, enterprise) in enumerate(specs):
        hazard = registries["hidden-hazards"].create(people["city"], {
            "enterprise": enterprise.pk, "title": f"隐患{i}", "description": "d"})
        HiddenHazard.objects.filter(pk=hazard.pk).update(state=state, grade=grade, deadline=deadline,
                                                        is_supervised=grade == "major", plan_approved=grade == "major")
        rows.append(hazard)
    return rows


def test_statistics_and_overdue_lists(hazards_in_states, people, api_client):
    stats = api_client(people["city"]).get("/api/v1/hazards/statistics").json()["hidden_hazards"]
    divisions = {d["name"]: d for d in stats["by_division"]}
    assert (divisions["彰武县"]["total"], divisions["彰武县"]["overdue"], divisions["彰武县"]["major"]) == (3, 2, 1)
    assert (divisions["海州区"]["total"], divisions["海州区"]["overdue"]) == (2, 0)  # 待复查: the clock stops
    assert {g["grade"]: g["count"] for g in stats["by_grade"]} == {"general": 4, "major": 1, "": 0}
    assert stats["by_industry"][0]["name"] == "危险化学品" and stats["by_industry"][0]["total"] == 5
    overdue = api_client(people["city"]).get("/api/v1/hazards/overdue").json()["hidden_hazards"]
    assert [(h["title"], h["days_overdue"]) for h in overdue] == [("隐患2", 20), ("隐患0", 3)]
    scoped = api_client(people["haizhou"]).get("/api/v1/hazards/statistics").json()["hidden_hazards"]
    assert scoped["total"] == 2


def test_statistics_export_xlsx_has_every_sheet(hazards_in_states, people, client):
    from openpyxl import load_workbook

    from yingji.audit.models import AuditEntry

    client.force_login(people["supervisor"])
    response = client.get("/hazards/stats/export/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert {"隐患按区划", "隐患按行业", "隐患按等级", "隐患按状态", "逾期隐患", "评估逾期危险源", "未备案危险源"} <= set(book.sheetnames)
    overdue = list(book["逾期隐患"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in overdue] == ["隐患2", "隐患0"]  # 彰武县 only
    assert AuditEntry.objects.filter(action="export", actor=people["supervisor"]).exists()


def test_escalation_of_an_overdue_major_hazard(hazards_in_states, people, django_capture_on_commit_callbacks):
    from yingji.audit.models import AuditEntry
    from yingji.hazards.loop import escalate_overdue
    from yingji.live.models import LiveEvent

    major = hazards_in_states[2]
    today = timezone.localdate()
    escalated = escalate_overdue(today - dt.timedelta(days=10))  # 10 days overdue → the county bureau
    assert [h.pk for h in escalated] == [major.pk]
    major.refresh_from_db()
    assert (major.escalation_level, major.escalated_to) == (1, ZHANGWU)
    assert escalate_overdue(today - dt.timedelta(days=10)) == []  # idempotent
    with django_capture_on_commit_callbacks(execute=True):
        escalate_overdue(today)  # 20 days overdue → the city
    major.refresh_from_db()
    assert (major.escalation_level, major.escalated_to) == (2, CITY)
    notes = list(AuditEntry.objects.filter(object_id=str(major.pk), action="update").values_list("note", flat=True))
    assert any("升级至阜新市督办" in n for n in notes)
    assert LiveEvent.objects.filter(kind="hidden_hazard_escalated", division_code=CITY).exists()


def test_pages_render_for_a_county_supervisor(hazards_in_states, people, client, enterprises, registries):
    registries["risk-points"].create(people["supervisor"], lec(enterprises[0], "10", "6", "15"))
    client.force_login(people["supervisor"])
    for url in ["/hazards/sources/", "/hazards/hidden/", "/hazards/hidden/?overdue=1", "/hazards/risk-map/",
                "/hazards/stats/", "/hazards/hidden/new/", "/hazards/risk-map/points.geojson"]:
        response = client.get(url)
        assert response.status_code == 200, url
    overdue_page = client.get("/hazards/hidden/?overdue=1").content.decode()
    assert "隐患0" in overdue_page and "隐患4" not in overdue_page
    assert "重大风险" in client.get("/hazards/risk-map/").content.decode()


def test_overdue_in_the_database_is_the_rule_for_every_state(enterprises, people, registries):
    """The database's filter (home panel, overdue list, statistics export) picks exactly the
    hazards the rule calls overdue: every state, deadlines before, on and after today, none."""
    from yingji.hazards.models import HiddenHazard
    from yingji.hazards.selectors import overdue
    from yingji.rules import hidden_hazard as rules

    today = timezone.localdate()
    hazard = registries["hidden-hazards"].create(people["city"], {
        "enterprise": enterprises[0].pk, "title": "样板", "description": "d"})
    for state in rules.STATES:
        for deadline in (today - dt.timedelta(days=1), today, today + dt.timedelta(days=1), None):
            HiddenHazard.objects.filter(pk=hazard.pk).update(state=state, deadline=deadline)
            hazard.refresh_from_db()
            picked = overdue(HiddenHazard.objects.filter(pk=hazard.pk), today).exists()
            assert picked == hazard.is_overdue(today), (state, deadline)


def test_home_panel_counts_the_overdue_hazards_in_scope(hazards_in_states, people, rf):
    from yingji.hazards.dashboard import panel

    request = rf.get("/")
    request.user = people["city"]
    city = panel(request)
    assert city["count"] == 2 and sorted(r[0] for r in city["rows"]) == ["彰武测试化工有限公司：隐患0", "彰武测试化工有限公司：隐患2"]
    request.user = people["haizhou"]
    assert panel(request)["count"] == 0  # 待复查 stops the clock; the other is not due yet
