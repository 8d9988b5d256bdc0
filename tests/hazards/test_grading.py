"""Hazard sources: contents change → regrading with the working kept as history; settings recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import CITY, patch_json, post_json
from yingji.core.errors import Forbidden, ValidationFailed

pytestmark = pytest.mark.django_db


def ammonia(tonnes) -> dict:
    return {"name": "液氨", "design_max_t": str(tonnes)}


@pytest.mark.parametrize("tonnes, nearby, grade, r", [
    ("49.9", 10, 4, "9.98"),     # R just below 10 → 四级
    ("50", 10, 3, "10"),         # R = 10 exactly → 三级
    ("249.9", 10, 3, "49.98"),
    ("250", 10, 2, "50"),        # R = 50 exactly → 二级
    ("499.9", 10, 2, "99.98"),
    ("500", 10, 1, "100"),       # R = 100 exactly → 一级
    ("50", 0, 4, "5"),           # α = 0.5 with nobody around
    ("50", 100, 3, "20"),        # α = 2 from 100 people
])
def test_stored_grading_bands_exactly_at_the_table6_boundaries(people, enterprises, build_source, tonnes, nearby,
                                                               grade, r):
    source = build_source(people["supervisor"], enterprises[0], [("液氨罐区", [ammonia(tonnes)])], exposed_people=nearby)
    assert source.current_grade == grade
    assert source.current_r == Decimal(r)
    assert source.is_major_hazard


@pytest.mark.parametrize("tonnes, major", [("4.9999", False), ("5", True)])
def test_s_of_one_makes_a_major_hazard_source(people, enterprises, build_source, tonnes, major):
    source = build_source(people["supervisor"], enterprises[0], [("液氯库", [{"name": "液氯", "design_max_t": tonnes}])])
    assert source.is_major_hazard is major
    assert (source.current_grade is not None) is major
    assert source.grade_name == ("四级" if major else "未构成重大危险源")


def test_mixture_of_table1_and_table2_chemicals_shows_its_working(people, enterprises, build_source, registries):
    source = build_source(people["supervisor"], enterprises[0], [
        ("氟化氢罐区", [{"name": "氟化氢", "design_max_t": "3"}, {"name": "二氟甲烷", "categories": "W2", "design_max_t": "5"},
                     {"cas": "67-56-1", "design_max_t": "250"}]),
    ], exposed_people=40)
    grading = source.gradings.first()
    unit = grading.result["units"][0]
    rows = {c["name"]: (c["Q"], c["beta"], c["q_over_Q"]) for c in unit["chemicals"]}
    assert rows == {"氟化氢": ("1", "5", "3"), "二氟甲烷": ("10", "1.5", "0.5"), "甲醇": ("500", "1", "0.5")}
    # S = 3 + 0.5 + 0.5 = 4; R = 1.2 × (15 + 0.75 + 0.5) = 19.5 → 三级
    assert unit["S"] == "4" and grading.result["alpha"] == "1.2" and grading.result["R"] == "19.5"
    assert grading.grade == 3 and source.current_grade == 3
    assert grading.settings_used["beta_choice"] == "maximum"


def test_changing_contents_regrades_and_keeps_history(people, enterprises, build_source, registries, api_client):
    user = people["supervisor"]
    source = build_source(user, enterprises[0], [("液氨罐区", [ammonia("50")])], exposed_people=10)
    chemical = source.units.get().chemicals.get()
    registries["unit-chemicals"].update(user, chemical, {"design_max_t": "600"})
    source.refresh_from_db()
    assert source.current_grade == 1 and source.current_r == Decimal("120")
    # exposed people change α: 120 × 2 / 1
    registries["hazard-sources"].update(user, source, {"exposed_people": 150})
    source.refresh_from_db()
    assert source.current_r == Decimal("240")
    # A change that does not touch the inputs adds no grading.
    registries["hazard-sources"].update(user, source, {"person_main": "张三"})
    history = api_client(user).get(f"/api/v1/hazard-sources/{source.pk}/gradings").json()
    # created unit (empty: S = 0, no R), added 50 t, raised to 600 t, 150 people around
    assert [g["R"] for g in history] == ["240", "120", "10", None]
    assert [g["grade"] for g in history] == [1, 1, 3, None]
    assert "修改" in history[0]["trigger"]
    units = api_client(user).get(f"/api/v1/hazard-sources/{source.pk}/units").json()
    assert units[0]["chemicals"][0]["design_max_t"].startswith("600")


def test_deleting_the_last_chemical_clears_the_grade(people, enterprises, build_source, registries):
    user = people["supervisor"]
    source = build_source(user, enterprises[0], [("液氨罐区", [ammonia("50")])])
    unit = source.units.get()
    registries["unit-chemicals"].delete(user, unit.chemicals.get())
    source.refresh_from_db()
    assert source.current_grade is None and not source.is_major_hazard
    assert source.gradings.first().result["S"] == "0"


def test_unknown_chemical_is_refused_with_suggestions_and_nothing_written(people, enterprises, build_source,
                                                                         api_client):
    from yingji.hazards.models import HazardGrading, UnitChemical

    user = people["supervisor"]
    source = build_source(user, enterprises[0], [("罐区", [ammonia("5")])])
    unit = source.units.get()
    response = post_json(api_client(user), "/api/v1/unit-chemicals/", {"unit_id": unit.pk, "name": "甲醉", "design_max_t": "10"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert "甲醉" in error["message"] and "甲醇" in error["message"]
    assert UnitChemical.objects.count() == 1 and HazardGrading.objects.count() == 2


def test_shared_cas_needs_a_specification_unless_the_recorded_setting_says_lowest_q(people, enterprises, build_source,
                                                                                   registries, make_user):
    user = people["supervisor"]
    source = build_source(user, enterprises[0], [("仓库", [{"name": "硝酸钾", "design_max_t": "500"}])])
    unit = source.units.get()
    with pytest.raises(ValidationFailed, match=r"危险化学品名称：GB 18218-2018 表1 中未能确定以下危险化学品：“9004-70-0”对应表1多项") as refused:
        registries["unit-chemicals"].create(user, {"unit": unit.pk, "cas": "9004-70-0", "design_max_t": "1"})
    assert "多项" in refused.value.message
    admin = make_user("city_admin", "city_admin", CITY)
    setting = registries["hazard-rule-settings"].create(admin, {
        "name": "阜新市设置", "division_code": CITY, "beta_choice": "maximum", "beta_without_category": "1",
        "shared_key_policy": "lowest_q", "decimal_places": 6, "lec_cut_major": 320, "lec_cut_high": 160,
        "lec_cut_general": 70, "lec_cut_owner": "lower", "matrix_cut_major": 20, "matrix_cut_high": 15,
        "matrix_cut_general": 9, "matrix_cut_owner": "higher"})
    source.refresh_from_db()
    latest = source.gradings.first()
    assert latest.rule_setting == setting and latest.settings_used["shared_key_policy"] == "lowest_q"
    registries["unit-chemicals"].create(user, {"unit": unit.pk, "cas": "9004-70-0", "design_max_t": "1"})
    source.refresh_from_db()
    nitrocellulose = source.gradings.first().result["units"][0]["chemicals"][1]
    assert nitrocellulose["Q"] == "1" and source.current_s == Decimal("1.5")


def test_enterprise_users_file_their_own_sources_only(people, enterprises, registries, api_client):
    own, other = enterprises
    client = api_client(people["enterprise"])
    created = post_json(client, "/api/v1/hazard-sources/", {"enterprise_id": own.pk, "name": "本企业罐区", "exposed_people": 3})
    assert created.status_code == 201, created.content
    assert created.json()["division_code"] == own.division_code
    refused = post_json(client, "/api/v1/hazard-sources/", {"enterprise_id": other.pk, "name": "他人罐区"})
    assert refused.status_code == 403
    with pytest.raises(Forbidden, match=r"您的角色（值班员）无权修改重大危险源"):
        registries["hazard-sources"].create(people["duty"], {"enterprise": own.pk, "name": "x"})
    listing = api_client(people["other_enterprise"]).get("/api/v1/hazard-sources/").json()
    assert listing["count"] == 0


def test_gradings_cannot_be_written_by_anyone(people, enterprises, build_source, api_client):
    source = build_source(people["supervisor"], enterprises[0], [("罐区", [ammonia("50")])])
    grading = source.gradings.first()
    response = patch_json(api_client(people["city"]), f"/api/v1/hazard-gradings/{grading.pk}", {"trigger": "篡改"})
    assert response.status_code == 403


def test_evaluation_due_is_three_years_after_the_evaluation(people, enterprises, registries):
    source = registries["hazard-sources"].create(people["supervisor"], {
        "enterprise": enterprises[0].pk, "name": "评估测试", "evaluated_on": "2024-02-29"})
    assert source.evaluation_due_on.isoformat() == "2027-02-28"


def test_preview_api_uses_the_rule_layer(people, api_client):
    response = post_json(api_client(people["supervisor"]), "/api/v1/hazards/grade", {
        "exposed_people": 50, "units": [{"name": "罐区", "chemicals": [{"name": "液氯", "quantity_t": 25}]}]})
    assert response.status_code == 200
    assert response.json()["R"] == "30" and response.json()["grade"] == 3
    unknown = post_json(api_client(people["supervisor"]), "/api/v1/hazards/grade", {
        "exposed_people": 1, "units": [{"name": "x", "chemicals": [{"name": "氟化轻", "quantity_t": 1}]}]})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_chemical"
    assert "氟化氢" in unknown.json()["error"]["message"]


def test_source_detail_page_shows_the_working(people, enterprises, build_source, client):
    source = build_source(people["supervisor"], enterprises[0], [("液氯库", [{"name": "液氯", "design_max_t": "10"}])],
                          exposed_people=60)
    client.force_login(people["supervisor"])
    body = client.get(f"/hazards/sources/{source.pk}/").content.decode()
    assert "α = 1.5" in body and "R = 12" in body and "三级" in body and "表3 氯" in body
