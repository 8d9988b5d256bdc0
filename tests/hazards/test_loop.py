"""The hidden-hazard loop through the service and the API: every allowed and every forbidden move,
each audited; scope; the detail page's buttons."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.conftest import patch_json, post_json
from yingji.audit.models import AuditEntry
from yingji.core.errors import Conflict, Forbidden, ServiceError, ValidationFailed
from yingji.hazards import loop
from yingji.rules import hidden_hazard as rules

pytestmark = pytest.mark.django_db

FUTURE = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
# Input that satisfies every guard of each action.
GOOD_INPUT = {
    "confirm": {"grade": "general"}, "reject": {"reason": "现场核实不属实"},
    "start_rectification": {"measures": "更换报警器", "responsible_person": "李工", "deadline": FUTURE, "funds_yuan": "5000"},
    "rectify_again": {"measures": "重新整改", "responsible_person": "李工", "deadline": FUTURE},
    "supervise": {"supervising_unit": "彰武县应急管理局", "supervision_number": "彰应急督〔2026〕1号"},
    "submit_plan": {"goals": "消除隐患", "measures": "停产检修", "funds_yuan": "200000", "responsible_person": "王总",
                    "deadline": FUTURE, "safety_measures": "设警戒区，制定专项预案"},
    "approve_plan": {"opinion": "同意"}, "return_plan": {"reason": "措施不具体"}, "request_review": {},
    "pass_review": {"opinion": "整改到位"}, "fail_review": {"reason": "未整改到位"},
    "apply_resumption": {"evaluation_report": "第三方评估合格"}, "approve_resumption": {"opinion": "同意恢复生产"},
    "refuse_resumption": {"reason": "评估报告不完整"}, "close": {"opinion": "销号"},
}
ROWS = [(row.action, source, grade, row) for row in rules.TRANSITIONS for source in row.sources for grade in sorted(row.grades)]


@pytest.fixture
def make_hazard(enterprises, people, registries):
    def make(state="reported", grade="", enterprise=None, **extra):
        from yingji.hazards.models import HiddenHazard

        hazard = registries["hidden-hazards"].create(people["supervisor"], {
            "enterprise": (enterprise or enterprises[0]).pk, "title": "液氯库报警器未检定", "description": "报警器超期未检定",
            "proposed_grade": grade or "general"})
        fields = {"state": state, "grade": grade, **extra}
        HiddenHazard.objects.filter(pk=hazard.pk).update(**fields)
        hazard.refresh_from_db()
        return hazard

    return make


def actor_for(row, people):
    return people["enterprise"] if row.roles & rules.ENTERPRISE_ROLES else people["supervisor"]


def prerequisites(action, grade):
    extra = {}
    if grade == "major":
        extra["is_supervised"] = True
        extra["plan_approved"] = action not in ("submit_plan",)
    if action in ("request_review", "apply_resumption"):
        extra["deadline"] = timezone.localdate() + dt.timedelta(days=5)
    return extra


@pytest.mark.parametrize("action, source, grade, row", ROWS, ids=[f"{a}-{s}-{g}" for a, s, g, _ in ROWS])
def test_every_allowed_transition_moves_and_is_audited(action, source, grade, row, make_hazard, people):
    hazard = make_hazard(source, "" if action == "confirm" else grade, **prerequisites(action, grade))
    data = dict(GOOD_INPUT[action])
    if action == "confirm":
        data["grade"] = grade
    moved = loop.transition(actor_for(row, people), hazard.pk, action, data)
    assert moved.state == row.target
    assert moved.version == hazard.version + 1
    entry = AuditEntry.objects.filter(action="transition", object_id=str(hazard.pk)).get()
    assert entry.before["state"] == source and entry.after["state"] == row.target
    assert row.label in entry.note


@pytest.mark.parametrize("action, source, grade, row", ROWS, ids=[f"{a}-{s}-{g}" for a, s, g, _ in ROWS])
def test_every_transition_is_refused_to_the_other_roles(action, source, grade, row, make_hazard, people, make_user):
    hazard = make_hazard(source, "" if action == "confirm" else grade, **prerequisites(action, grade))
    data = dict(GOOD_INPUT[action], **({"grade": grade} if action == "confirm" else {}))
    outsiders = [r for r in rules.ALL_ROLES if r not in row.roles]
    for role in outsiders:
        user = people["enterprise"] if role == "enterprise" else make_user(f"u_{role}_{action}", role, "210922000000")
        with pytest.raises(Forbidden, match=re.escape(row.label)) as refused:
            loop.transition(user, hazard.pk, action, data)
        assert row.label in refused.value.message
    hazard.refresh_from_db()
    assert hazard.state == source and not AuditEntry.objects.filter(action="transition").exists()


ILLEGAL = [(state, row) for state in rules.STATES for row in rules.TRANSITIONS if state not in row.sources]


@pytest.mark.parametrize("state, row", ILLEGAL, ids=[f"{s}-{r.action}" for s, r in ILLEGAL])
def test_every_move_from_a_wrong_state_is_refused_with_409(state, row, make_hazard, people):
    grade = sorted(row.grades)[0]
    hazard = make_hazard(state, grade, is_supervised=True, plan_approved=True)
    with pytest.raises(Conflict, match=re.escape(rules.STATES[state])) as refused:
        loop.transition(actor_for(row, people), hazard.pk, row.action, GOOD_INPUT[row.action])
    assert refused.value.status == 409 and rules.STATES[state] in refused.value.message
    hazard.refresh_from_db()
    assert hazard.state == state


@pytest.mark.parametrize("action, source, grade, data, reason", [
    ("confirm", "reported", "", {}, "必须定级"),
    ("reject", "reported", "", {}, "不属实的理由"),
    ("start_rectification", "confirmed", "general", {"measures": "x"}, "整改责任人"),
    ("start_rectification", "confirmed", "general",
     {"measures": "x", "responsible_person": "y", "deadline": "2020-01-01"}, "整改期限不能早于当前时间"),
    ("start_rectification", "confirmed", "major", GOOD_INPUT["start_rectification"], "仅适用于一般隐患"),
    ("supervise", "confirmed", "general", GOOD_INPUT["supervise"], "仅适用于重大隐患"),
    ("supervise", "confirmed", "major", {}, "督办单位"),
    ("submit_plan", "supervised", "major", {"goals": "x"}, "治理方案不完整"),
    ("fail_review", "pending_review", "general", {}, "复查意见"),
    ("apply_resumption", "rectifying", "major", {}, "评估报告"),
])
def test_guards_refuse_with_the_reason_and_write_nothing(action, source, grade, data, reason, make_hazard, people):
    hazard = make_hazard(source, grade, is_supervised=grade == "major", plan_approved=grade == "major")
    row = rules.HAZARD_MACHINE.transitions[action]
    with pytest.raises(ValidationFailed, match=re.escape(reason)) as refused:
        loop.transition(people["enterprise"] if row.roles & rules.ENTERPRISE_ROLES else people["supervisor"],
                        hazard.pk, action, data)
    assert reason in refused.value.message
    hazard.refresh_from_db()
    assert hazard.state == source and not AuditEntry.objects.filter(action="transition").exists()


def test_major_hazard_needs_supervision_and_plan_before_resumption(make_hazard, people):
    hazard = make_hazard("rectifying", "major", is_supervised=True, plan_approved=False)
    with pytest.raises(ValidationFailed, match=r"重大隐患须先完成治理方案审批，方可申请复查验收") as refused:
        loop.transition(people["enterprise"], hazard.pk, "apply_resumption", GOOD_INPUT["apply_resumption"])
    assert "治理方案审批" in refused.value.message


def test_scope_other_county_and_other_enterprise_cannot_act(make_hazard, people, enterprises):
    hazard = make_hazard("confirmed", "general")
    with pytest.raises(Forbidden, match=r"“液氯库报警器未检定”不在您的管辖范围内"):
        loop.transition(people["haizhou"], hazard.pk, "supervise", GOOD_INPUT["supervise"])
    with pytest.raises(Forbidden, match=r"“液氯库报警器未检定”不在您的管辖范围内"):
        loop.transition(people["other_enterprise"], hazard.pk, "start_rectification", GOOD_INPUT["start_rectification"])
    # The city supervisor may act in every county.
    other = make_hazard("reported", "", enterprise=enterprises[0])
    assert loop.transition(people["city"], other.pk, "confirm", {"grade": "major"}).grade == "major"


def test_stale_version_and_unknown_fields_are_refused(make_hazard, people):
    hazard = make_hazard("reported")
    with pytest.raises(Conflict, match=r"操作被拒绝：该隐患已被他人处理（当前版本 1）"):
        loop.transition(people["supervisor"], hazard.pk, "confirm", {"grade": "general"}, expected_version=hazard.version - 1)
    with pytest.raises(ValidationFailed, match=r"操作“confirm”不接受字段：state") as unknown:
        loop.transition(people["supervisor"], hazard.pk, "confirm", {"grade": "general", "state": "closed"})
    assert "state" in unknown.value.message
    with pytest.raises(ValidationFailed, match=r"未知操作“teleport”"):
        loop.transition(people["supervisor"], hazard.pk, "teleport", {})


def test_full_general_loop_over_the_api(make_hazard, people, api_client):
    hazard = make_hazard("reported")
    supervisor, enterprise = api_client(people["supervisor"]), api_client(people["enterprise"])
    url = f"/api/v1/hidden-hazards/{hazard.pk}/transitions"
    offered = supervisor.get(url).json()
    assert {a["action"] for a in offered["actions"]} == {"confirm", "reject"}
    assert enterprise.get(url).json()["actions"] == []
    steps = [(supervisor, {"action": "confirm", "grade": "general"}, "confirmed"),
             (enterprise, {"action": "start_rectification", **GOOD_INPUT["start_rectification"]}, "rectifying"),
             (enterprise, {"action": "request_review"}, "pending_review"),
             (supervisor, {"action": "fail_review", "reason": "报警器未更换"}, "review_failed"),
             (enterprise, {"action": "rectify_again", **GOOD_INPUT["rectify_again"]}, "rectifying"),
             (enterprise, {"action": "request_review"}, "pending_review"),
             (supervisor, {"action": "pass_review", "opinion": "合格"}, "review_passed"),
             (supervisor, {"action": "close"}, "closed")]
    for client, body, state in steps:
        response = post_json(client, url, body)
        assert response.status_code == 200, response.content.decode()
        assert response.json()["state"] == state
    notes = list(AuditEntry.objects.filter(object_id=str(hazard.pk), action="transition").order_by("id")
                 .values_list("note", flat=True))
    assert len(notes) == 8 and notes[-1].startswith("销号")
    refused = post_json(supervisor, url, {"action": "close"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "illegal_transition"
    assert "已销号" in refused.json()["error"]["message"]
    role = post_json(api_client(people["duty"]), url, {"action": "confirm", "grade": "general"})
    assert role.status_code in (403, 409)
    extra = post_json(supervisor, url, {"action": "close", "sneaky": 1})
    assert extra.status_code == 400


def test_state_cannot_be_patched_and_the_report_freezes_after_confirmation(make_hazard, people, api_client):
    hazard = make_hazard("reported")
    client = api_client(people["supervisor"])
    patch_json(client, f"/api/v1/hidden-hazards/{hazard.pk}", {"state": "closed"})
    hazard.refresh_from_db()
    assert hazard.state == "reported"
    loop.transition(people["supervisor"], hazard.pk, "confirm", {"grade": "general"})
    frozen = patch_json(client, f"/api/v1/hidden-hazards/{hazard.pk}", {"title": "改名"})
    assert frozen.status_code == 409 and "处置流程" in frozen.json()["error"]["message"]


def test_enterprise_reports_its_own_hazards_only(people, enterprises, api_client):
    own, other = enterprises
    client = api_client(people["enterprise"])
    created = post_json(client, "/api/v1/hidden-hazards/", {"enterprise_id": own.pk, "title": "自查发现：洗眼器无水",
                                                          "description": "洗眼器无水", "source": "self_check"})
    assert created.status_code == 201 and created.json()["division_code"] == own.division_code
    refused = post_json(client, "/api/v1/hidden-hazards/", {"enterprise_id": other.pk, "title": "x", "description": "x"})
    assert refused.status_code == 403
    assert api_client(people["other_enterprise"]).get("/api/v1/hidden-hazards/").json()["count"] == 0


def test_detail_page_buttons_walk_a_step(make_hazard, people, client):
    hazard = make_hazard("reported")
    client.force_login(people["supervisor"])
    page = client.get(f"/hazards/hidden/{hazard.pk}/").content.decode()
    assert 'data-testid="action-confirm"' in page and 'data-testid="action-reject"' in page
    response = client.post(f"/hazards/hidden/{hazard.pk}/act/", {"action": "reject", "version": hazard.version})
    assert response.status_code == 400 and "不属实的理由" in response.content.decode()
    response = client.post(f"/hazards/hidden/{hazard.pk}/act/", {"action": "confirm", "grade": "major",
                                                                "version": hazard.version})
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert (hazard.state, hazard.grade) == ("confirmed", "major")
    page = client.get(f"/hazards/hidden/{hazard.pk}/").content.decode()
    assert 'data-testid="action-supervise"' in page
    client.force_login(people["duty"])
    page = client.get(f"/hazards/hidden/{hazard.pk}/").content.decode()
    assert "您没有可办理的操作" in page


def test_service_errors_carry_http_status(make_hazard, people):
    hazard = make_hazard("closed", "general")
    with pytest.raises(ServiceError, match=r"当前状态为“已销号”，不能执行“销号”") as refused:
        loop.transition(people["supervisor"], hazard.pk, "close", {})
    assert refused.value.status == 409
