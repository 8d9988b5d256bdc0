"""Plans as structured data and matching an incident to a plan and response level."""

from __future__ import annotations

import pytest

from tests.conftest import CITY, ZHANGWU


# ---------------------------------------------------------------- pure matching rules
def test_matching_rules_pure():
    from yingji.command.matching import PlanInfo, match_plans

    levels = {n: (n,) for n in (1, 2, 3, 4)}
    general = PlanInfo(1, "总体", "general", CITY, (), levels)
    hazchem = PlanInfo(2, "危化", "special", CITY, ("accident.hazchem",), levels)
    flood = PlanInfo(3, "防汛", "special", CITY, ("natural.*",), levels)
    county = PlanInfo(4, "彰武县总体", "general", ZHANGWU, (), {4: (4,)})
    haizhou = PlanInfo(5, "海州区总体", "general", "210902000000", (), {4: (4,)})
    plans = [general, hazchem, flood, county, haizhou]

    # a 较大 (grade 3) hazchem accident in 彰武: the hazchem special plan, level Ⅲ
    best, *others = match_plans(plans, "accident.hazchem", 3, "210922101000")
    assert (best.plan_id, best.level) == (2, 3)
    assert {p.plan_id for p in others} == {1, 4}  # flood plan and another county's plan do not apply
    # the county plan names no 较大 level: it proposes its lowest level and ranks after the city plans
    assert others[-1].plan_id == 4 and others[-1].level == 4

    # an 一般 (grade 4) flood in 彰武: the special plan (category wildcard) first, county plan before the city general plan
    ranked = match_plans(plans, "natural.flood", 4, ZHANGWU)
    assert [p.plan_id for p in ranked] == [3, 4, 1]
    assert ranked[0].level == 4

    # ungraded incident: the lowest level with a reason saying so
    ungraded = match_plans(plans, "accident.hazchem", None, ZHANGWU)[0]
    assert ungraded.level == 4 and "尚未定级" in ungraded.reasons[1]

    # grade 1 maps to Ⅰ; 特别重大 via incident_grades table, not by number, when the plan says so
    shifted = PlanInfo(6, "错位", "special", CITY, ("accident.coal_mine",), {2: (1, 2), 3: (3,), 4: (4,)})
    assert match_plans([shifted], "accident.coal_mine", 1, CITY)[0].level == 2


# ---------------------------------------------------------------- structured plans through the API
PLAN = {
    "name": "测试危化预案", "kind": "special", "event_types": ["accident.hazchem"], "division_code": CITY,
    "hq_composition": "分管副市长任指挥长", "lead_unit": "市应急管理局",
    "members": [{"unit_name": "市应急管理局", "duties": "牵头处置"}],
    "levels": [{"level": n, "incident_grades": [n], "activation_conditions": f"{n}级条件",
                "actions": [{"unit_name": "市消防救援支队", "action": "赶赴现场", "due_minutes": 30}]}
               for n in (1, 2, 3, 4)],
}


@pytest.fixture
def city_admin(make_user):
    return make_user("cityadm", "city_admin", CITY)


def test_create_structured_plan_and_match_through_api(city_admin, api_client):
    from yingji.audit.models import AuditEntry

    client = api_client(city_admin)
    created = client.post("/api/v1/plans/structured", PLAN, content_type="application/json")
    assert created.status_code == 201, created.content
    doc = created.json()
    assert [lv["level"] for lv in doc["levels"]] == [1, 2, 3, 4]
    assert doc["levels"][0]["actions"][0]["unit_name"] == "市消防救援支队"
    assert AuditEntry.objects.filter(model="command.Plan", object_id=str(doc["id"])).count() == 2

    fetched = client.get(f"/api/v1/plans/{doc['id']}/document").json()
    assert fetched["members"][0]["duties"] == "牵头处置"
    match = client.get("/api/v1/plans/match", {"type_code": "accident.hazchem", "grade": 2, "division_code": ZHANGWU})
    assert match.status_code == 200
    top = match.json()["proposals"][0]
    assert top["plan_id"] == doc["id"] and top["level"] == 2 and top["level_label"] == "Ⅱ级响应"
    # the registry gives the list and filters
    listing = client.get("/api/v1/plans/", {"kind": "special"}).json()
    assert [p["name"] for p in listing["items"]] == ["测试危化预案"]


@pytest.mark.parametrize("change, message", [
    ({"levels": []}, "至少需要一个响应级别"),
    ({"levels": [{"level": 5, "activation_conditions": "x"}]}, "响应级别必须是 1–4"),
    ({"levels": [{"level": 1, "activation_conditions": ""}]}, "缺少启动条件"),
    ({"event_types": ["accident.nope"]}, "未知的突发事件类型代码"),
    ({"levels": [{"level": 1, "activation_conditions": "x", "actions": [{"unit_name": "", "action": "x"}]}]},
     "行动措施须填写责任单位"),
])
def test_bad_plans_are_refused_and_nothing_is_written(city_admin, api_client, change, message):
    from yingji.command.models import Plan, PlanLevel

    response = api_client(city_admin).post("/api/v1/plans/structured", {**PLAN, **change},
                                           content_type="application/json")
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert Plan.objects.count() == 0 and PlanLevel.objects.count() == 0


def test_duty_officer_cannot_write_plans(make_user, api_client):
    from yingji.command.models import Plan

    duty = make_user("duty1", "duty_officer", CITY)
    response = api_client(duty).post("/api/v1/plans/structured", PLAN, content_type="application/json")
    assert response.status_code == 403
    assert Plan.objects.count() == 0


def test_demo_plans_cover_every_level_and_the_special_hqs(db):
    from yingji.command.demo_data import load_plans
    from yingji.command.models import Plan, PlanAction
    from yingji.demo.foundation import load_organisations

    load_organisations()
    assert load_plans() > 8
    assert load_plans() == 0  # idempotent
    general = Plan.objects.get(kind="general", division_code=CITY)
    assert sorted(general.levels.values_list("level", flat=True)) == [1, 2, 3, 4]
    hazchem = next(p for p in Plan.objects.filter(kind="special") if "accident.hazchem" in p.event_types)
    assert hazchem.headquarters.kind == "special_hq"
    assert all(p.is_synthetic and "示例" in p.name for p in Plan.objects.all())
    # actions are linked to the demo's organisations where the unit exists
    assert PlanAction.objects.filter(organisation__isnull=False).count() > 50
    # Ⅰ级 carries more actions than Ⅳ级
    counts = {lv.level: lv.actions.count() for lv in hazchem.levels.all()}
    assert counts[1] > counts[3] > counts[4]


def test_a_county_plan_cannot_name_another_countys_organisation(make_user, api_client):
    """Issue 13, finding 2: foreign keys in a plan's member and action rows are scope-checked."""
    from yingji.command.models import Plan
    from yingji.regions.models import Organisation

    other = Organisation.objects.create(name="海州区应急管理局", kind="bureau", division_code="210902000000")
    own = Organisation.objects.create(name="彰武县应急管理局", kind="bureau", division_code=ZHANGWU)
    client = api_client(make_user("zw_plan_admin", "county_admin", ZHANGWU))
    plan = {**PLAN, "division_code": ZHANGWU, "name": "彰武县测试预案",
            "members": [{"unit_name": "海州区应急管理局", "organisation_id": other.pk, "duties": "协助"}]}
    refused = client.post("/api/v1/plans/structured", plan, content_type="application/json")
    assert refused.status_code == 403, refused.content
    assert "不在您的管辖范围内" in refused.json()["error"]["message"]
    assert Plan.objects.count() == 0
    plan["members"] = [{"unit_name": "彰武县应急管理局", "organisation_id": own.pk, "duties": "牵头"}]
    assert client.post("/api/v1/plans/structured", plan, content_type="application/json").status_code == 201


def test_plan_matching_only_for_divisions_in_the_users_scope(make_user, api_client):
    """A county user may match plans for its own county (and sees the city plans that cover it),
    not for another county (issue 13, finding 2)."""
    from tests.conftest import HAIZHOU

    client = api_client(make_user("hz_cmd", "commander", HAIZHOU))
    own = client.get("/api/v1/plans/match", {"type_code": "accident.hazchem", "grade": 2, "division_code": HAIZHOU})
    assert own.status_code == 200
    other = client.get("/api/v1/plans/match", {"type_code": "accident.hazchem", "grade": 2, "division_code": ZHANGWU})
    assert other.status_code == 403 and "不在您的管辖范围内" in other.json()["error"]["message"]
    bad = client.get("/api/v1/plans/match", {"type_code": "accident.hazchem", "division_code": "abc"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["division_code"]
