"""Social emergency forces: registration with capabilities, members and equipment; the bureau's
review (approval makes a dispatchable rescue team); grades by 应急〔2024〕83号; dispatch by
command with the force's consent recorded."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.command.conftest import data_dir, demo_plans, make_incident, make_team, organisations, road_network  # noqa: F401
from tests.conftest import ZHANGWU, ZHANGWU_POINT, post_json
from tests.social.conftest import member_rows
from yingji.core.errors import Conflict, Forbidden, ValidationFailed


def test_registration_through_the_registry_api_checks_the_code_and_derives_the_grade(people, api_client):
    from yingji.social.models import ForceCapability, SocialForce

    client = api_client(people["zhangwu"])
    bad = post_json(client, "/api/v1/social-forces/", {
        "name": "错误代码队", "uscc": "123", "specialties": "山地搜救", "leader": "王", "leader_phone": "13904180001",
        "duty_phone": "13904180002", "division_code": ZHANGWU})
    assert bad.status_code == 400 and "uscc" in bad.json()["error"]["fields"]
    assert not SocialForce.objects.exists()
    from yingji.rules.uscc import make_uscc
    made = post_json(client, "/api/v1/social-forces/", {
        "name": "彰武山地救援队", "uscc": make_uscc("5", "2", "210922", "MJ0000001"), "specialties": "山地搜救",
        "leader": "王", "leader_phone": "13904180001", "duty_phone": "13904180002", "division_code": ZHANGWU,
        "review_state": "approved"})
    assert made.status_code == 201, made.content
    force = SocialForce.objects.get()
    assert force.review_state == "submitted"  # a state is never taken from the form
    wrong = post_json(client, "/api/v1/social-force-capabilities/", {
        "force_id": force.pk, "specialty": "潜水救援", "range": "local", "assemble_hours": "2", "sites": 1, "sustain_hours": 12})
    assert wrong.status_code == 400 and "不在该组织登记的救援类别" in wrong.json()["error"]["message"] + str(wrong.json())
    ok = post_json(client, "/api/v1/social-force-capabilities/", {
        "force_id": force.pk, "specialty": "山地搜救", "range": "local", "assemble_hours": "2", "sites": 1, "sustain_hours": 12})
    assert ok.status_code == 201, ok.content
    # no members yet: the indicators (at least 15 members for 三级) are not met
    assert ForceCapability.objects.get().suggested_grade is None
    # another county's administrator cannot file a force in 彰武县
    other = post_json(api_client(people["haizhou"]), "/api/v1/social-forces/", {
        "name": "越权队", "uscc": make_uscc("5", "2", "210922", "MJ0000002"), "specialties": "山地搜救", "leader": "王",
        "leader_phone": "13904180001", "duty_phone": "13904180002", "division_code": ZHANGWU})
    assert other.status_code == 403


def test_review_refuses_uninsured_members_then_approval_makes_a_social_rescue_team(people, make_force):
    from yingji.audit.models import AuditEntry
    from yingji.core import records
    from yingji.social import forces

    force = make_force(members=16, insured=False)
    with pytest.raises(ValidationFailed, match="队员未投保或保险已过期：队员0、队员1") as exc:
        forces.review(people["zhangwu"], force, "approve")
    assert exc.value.code == "not_ready"
    force.refresh_from_db()
    assert force.review_state == "submitted" and force.team is None
    with pytest.raises(ValidationFailed, match="须写明理由"):
        forces.review(people["zhangwu"], force, "reject")
    with pytest.raises(Forbidden):
        forces.review(people["duty"], force, "approve")
    today = dt.date.today()
    for member in force.members.all():
        records.update_record(people["zhangwu"], member, {"insurance_policy": "P1", "insured_until": today + dt.timedelta(days=30)})
    force = forces.review(people["zhangwu"], force, "approve", "材料齐全")
    team = force.team
    assert force.review_state == "approved" and force.reviewer_name == "s_zhangwu"
    assert team.category == "social" and team.headcount == 16 and set(team.specialties.split("、")) == {"水域", "综合救援"}
    assert team.readiness == "standby" and team.division_code == ZHANGWU
    assert AuditEntry.objects.filter(model="social.SocialForce", object_id=str(force.pk), action="transition").exists()
    assert AuditEntry.objects.filter(model="resources.RescueTeam", object_id=str(team.pk), action="create").exists()
    with pytest.raises(Conflict, match="不能执行此操作"):
        forces.review(people["zhangwu"], force, "approve")
    force = forces.review(people["zhangwu"], force, "suspend", "装备检修")
    team.refresh_from_db()
    assert force.review_state == "suspended" and team.readiness == "unavailable"


def test_grades_follow_the_indicators_and_province_grades_need_a_document(people, make_force):
    from yingji.social import forces

    force = forces.review(people["zhangwu"], make_force(members=45, capability={
        "specialty": "水上搜救", "range": "province", "assemble_hours": "5", "sites": 1, "sustain_hours": 48}), "approve")
    cap = force.capabilities.get()
    assert cap.suggested_grade == 2
    with pytest.raises(ValidationFailed, match="不满足一级测评指标：作业范围须达到“本省及周边省份”.*在册队员须不少于 75 人"):
        forces.record_grade(people["zhangwu"], cap, 1, "辽应急〔2025〕1号")
    with pytest.raises(ValidationFailed, match="由省级组织测评.*须填写测评结果文号"):
        forces.record_grade(people["zhangwu"], cap, 2, "")
    with pytest.raises(Forbidden):
        forces.record_grade(people["haizhou"], cap, 3, "")
    graded = forces.record_grade(people["zhangwu"], cap, 2, "辽应急〔2025〕12号")
    assert graded.grade == 2 and graded.grade_document == "辽应急〔2025〕12号" and graded.graded_on == dt.date.today()


def test_command_calls_a_social_force_only_with_its_consent(people, make_force, road_network, demo_plans, make_incident,
                                                             make_team):
    from yingji.command import dispatch, responses
    from yingji.incidents.models import TimelineEntry
    from yingji.social import forces

    commander = people["city"]
    force = forces.review(people["zhangwu"], make_force(), "approve")
    incident = make_incident(type_code="natural.flood", point=(ZHANGWU_POINT[0] + 0.01, ZHANGWU_POINT[1]), division=ZHANGWU,
                             title="河道涨水（测试）")
    plan = next(p for p in __import__("yingji.command.models", fromlist=["Plan"]).Plan.objects.all())
    response = responses.activate(commander, incident, plan.pk, 4, "测试")
    far = make_team("县防汛队（测试）", (ZHANGWU_POINT[0] + 0.3, ZHANGWU_POINT[1] + 0.1), specialties="水域", division=ZHANGWU)
    # "nearest" never picks a social force on its own: consent has to be asked first
    sent = dispatch.dispatch_nearest_team(commander, response, "水域")
    assert sent.team == far
    with pytest.raises(ValidationFailed, match="是社会应急力量，调用前须征得其同意") as exc:
        dispatch.dispatch_team(commander, response, force.team_id)
    assert exc.value.code == "consent_required"
    called = dispatch.dispatch_team(commander, response, force.team_id, consent="李队长 10:20 电话同意出动 12 人")
    assert called.consent == "李队长 10:20 电话同意出动 12 人"
    assert TimelineEntry.objects.filter(incident=incident, text__contains="已征得同意：李队长").exists()
