"""Approval rules: draft → review → sign-off → publish with role separation, comments on
return, and update / upgrade / downgrade / lift that reference the original."""

import pytest

from tests.conftest import HAIZHOU, ZHANGWU
from tests.warnings.conftest import publish, warning_data
from yingji.audit.models import AuditEntry
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.rules import warning_workflow as wf
from yingji.warnings import services


def test_state_machine_table_guards_role_separation():
    ctx = {"actor": 1, "drafter": 1, "reviewer": None, "comment": ""}
    with pytest.raises(Exception, match="自己起草"):
        wf.WORKFLOW.check("approve", wf.REVIEWING, ["city_admin"], ctx)
    with pytest.raises(Exception, match="审核人与签发人"):
        wf.WORKFLOW.check("sign", wf.SIGNING, ["commander"], {"actor": 2, "drafter": 1, "reviewer": 2})
    with pytest.raises(Exception, match="退回意见"):
        wf.WORKFLOW.check("return_review", wf.REVIEWING, ["city_admin"], {"actor": 2, "drafter": 1, "comment": " "})
    with pytest.raises(Exception, match="无权"):
        wf.WORKFLOW.check("approve", wf.REVIEWING, ["duty_officer"], {"actor": 2, "drafter": 1})
    assert wf.WORKFLOW.check("sign", wf.SIGNING, ["commander"], {"actor": 3, "drafter": 1, "reviewer": 2}).target == wf.SIGNED
    # People never move a published warning directly: only the system, when a successor is published.
    assert wf.WORKFLOW.allowed_actions(wf.PUBLISHED, ["sysadmin"]) == []


def test_derived_level_rules():
    assert wf.derived_level_problem("upgrade", 3, 2) is None
    assert "高于" in wf.derived_level_problem("upgrade", 3, 3)
    assert "低于" in wf.derived_level_problem("downgrade", 2, 1)
    assert "不改变级别" in wf.derived_level_problem("update", 3, 2)


def test_full_chain_publishes_with_cap_and_log(draft, roles):
    warning = publish(draft, roles)
    assert warning.state == wf.PUBLISHED
    assert warning.reviewer == roles["reviewer"] and warning.signer == roles["signer"]
    assert warning.identifier.startswith("21090000000000_") and warning.identifier.endswith("_0")
    assert "<msgType>Alert</msgType>" in warning.cap_xml
    assert [a.action for a in warning.actions.all()] == ["submit", "approve", "sign", "publish"]
    assert AuditEntry.objects.filter(model="warnings.Warning", object_id=str(warning.pk), action="transition").count() == 4


def test_drafter_cannot_approve_own_draft(draft, roles, make_user):
    admin_drafter = make_user("admin_drafter", "city_admin")
    own = services.create_warning(admin_drafter, warning_data())
    own = services.transition(admin_drafter, own, "submit")
    with pytest.raises(Forbidden, match="自己起草"):
        services.transition(admin_drafter, own, "approve")
    own.refresh_from_db()
    assert own.state == wf.REVIEWING and own.reviewer is None


def test_reviewer_cannot_also_sign(draft, roles, make_user):
    boss = make_user("boss", "city_admin")
    warning = services.transition(roles["drafter"], draft, "submit")
    warning = services.transition(boss, warning, "approve")
    with pytest.raises(Forbidden, match="同一人"):
        services.transition(boss, warning, "sign")


def test_duty_officer_cannot_approve(draft, roles, make_user):
    other_duty = make_user("duty2", "duty_officer")
    warning = services.transition(roles["drafter"], draft, "submit")
    with pytest.raises(Forbidden, match="无权"):
        services.transition(other_duty, warning, "approve")


def test_return_needs_comment_and_keeps_it(draft, roles):
    warning = services.transition(roles["drafter"], draft, "submit")
    with pytest.raises(Forbidden, match="退回意见"):
        services.transition(roles["reviewer"], warning, "return_review", "")
    warning = services.transition(roles["reviewer"], warning, "return_review", "防御指南请补充转移安置要求")
    assert warning.state == wf.RETURNED
    assert warning.actions.last().comment == "防御指南请补充转移安置要求"
    # Returned drafts can be edited and resubmitted.
    warning = services.update_warning(roles["drafter"], warning, {"instruction": "立即转移低洼地带群众。"})
    warning = services.transition(roles["drafter"], warning, "submit")
    assert warning.state == wf.REVIEWING


def test_signer_can_return_and_reviewer_is_cleared(draft, roles):
    warning = services.transition(roles["drafter"], draft, "submit")
    warning = services.transition(roles["reviewer"], warning, "approve")
    warning = services.transition(roles["signer"], warning, "return_sign", "级别偏低，请核实")
    assert warning.state == wf.RETURNED and warning.reviewer is None


def test_published_warning_cannot_be_edited(draft, roles):
    warning = publish(draft, roles)
    with pytest.raises(Conflict, match="只有草稿或已退回"):
        services.update_warning(roles["drafter"], warning, {"event": "大风"})


def test_publish_out_of_order_is_refused(draft, roles):
    with pytest.raises(Conflict, match="不能执行"):
        services.transition(roles["drafter"], draft, "publish")


def test_incomplete_draft_cannot_be_submitted(roles):
    warning = services.create_warning(roles["drafter"], warning_data(instruction=""))
    with pytest.raises(ValidationFailed, match="应当采取的措施"):
        services.transition(roles["drafter"], warning, "submit")


def test_county_bureau_cannot_warn_another_county(make_user):
    county = make_user("zw_duty", "duty_officer", region=ZHANGWU)
    with pytest.raises(Forbidden, match="管辖范围"):
        services.create_warning(county, warning_data(area_codes=[HAIZHOU], area_desc="海州区"))
    services.create_warning(county, warning_data())


def test_expires_before_effective_is_refused(roles):
    data = warning_data()
    data["expires"] = data["effective"]
    with pytest.raises(ValidationFailed, match="失效时间"):
        services.create_warning(roles["drafter"], data)


def _derive_and_publish(original, kind, roles, **changes):
    derived = services.derive_warning(roles["drafter"], original, kind, changes)
    return publish(derived, roles)


def test_upgrade_references_original_and_supersedes_it(draft, roles):
    original = publish(draft, roles)
    with pytest.raises(ValidationFailed, match="高于"):
        services.derive_warning(roles["drafter"], original, "upgrade", {"level": 4})
    upgraded = _derive_and_publish(original, "upgrade", roles, level=2)
    original.refresh_from_db()
    assert original.state == wf.SUPERSEDED and original.ended_at is not None
    assert upgraded.supersedes == original and upgraded.level == 2
    assert "<msgType>Update</msgType>" in upgraded.cap_xml
    assert f"{original.sender_code},{original.identifier}," in upgraded.cap_xml
    assert "将暴雨预警升级为橙色预警[Ⅱ级/严重]</headline>" in upgraded.cap_xml
    # The superseded warning can no longer be changed: only the newest one can.
    with pytest.raises(Conflict, match=r"只能对已发布且有效的预警进行更新（当前：已被更新）"):
        services.derive_warning(roles["drafter"], original, "update")


def test_lift_after_update_references_the_whole_chain(draft, roles):
    original = publish(draft, roles)
    updated = _derive_and_publish(original, "update", roles, instruction="雨势减弱，仍需注意防范。")
    lifted = _derive_and_publish(updated, "lift", roles)
    updated.refresh_from_db()
    assert updated.state == wf.LIFTED
    assert "<msgType>Cancel</msgType>" in lifted.cap_xml
    assert original.identifier in lifted.cap_xml and updated.identifier in lifted.cap_xml
    assert not lifted.is_active


def test_two_drafts_for_one_original_only_first_publishes(draft, roles):
    original = publish(draft, roles)
    first = services.derive_warning(roles["drafter"], original, "update")
    second = services.derive_warning(roles["drafter"], original, "lift")
    publish(first, roles)
    second = services.transition(roles["drafter"], second, "submit")
    second = services.transition(roles["reviewer"], second, "approve")
    second = services.transition(roles["signer"], second, "sign")
    with pytest.raises(Conflict, match="已被更新"):
        services.transition(roles["drafter"], second, "publish")
    second.refresh_from_db()
    assert second.state == wf.SIGNED and second.cap_xml == ""


def test_editor_of_the_content_cannot_approve_or_sign(draft, roles, make_user):
    """Four-eyes also against editing: whoever changed the content (here after a return) may
    neither approve nor sign it, and the console does not offer them the buttons."""
    editor = make_user("editor_admin", "city_admin")
    other_signer = make_user("other_signer", "commander")
    warning = services.transition(roles["drafter"], draft, "submit")
    warning = services.transition(roles["reviewer"], warning, "return_review", "请补充防御指南")
    warning = services.update_warning(editor, warning, {"instruction": "关闭门窗，远离河道。"},
                                      expected_version=warning.version)
    warning = services.transition(roles["drafter"], warning, "submit")
    assert "approve" not in [t.action for t in services.available_actions(editor, warning)]
    with pytest.raises(Forbidden, match="自己修改过内容"):
        services.transition(editor, warning, "approve")
    warning = services.transition(roles["reviewer"], warning, "approve")
    assert "sign" not in [t.action for t in services.available_actions(editor, warning)]
    with pytest.raises(Forbidden, match="自己修改过内容"):
        services.transition(editor, warning, "sign")
    # Nor the reviewer (a different person must sign), nor the drafter.
    assert "sign" not in [t.action for t in services.available_actions(roles["reviewer"], warning)]
    assert "sign" in [t.action for t in services.available_actions(other_signer, warning)]
    warning = services.transition(other_signer, warning, "sign")
    assert warning.state == wf.SIGNED


@pytest.mark.parametrize("pair", ["drafter-approves", "editor-approves", "drafter-signs", "editor-signs",
                                  "reviewer-signs"])
def test_every_forbidden_role_pair_is_refused(pair, draft, roles, make_user):
    editor = make_user("pair_editor", "city_admin")
    signer = make_user("pair_signer", "commander")
    drafter_admin = make_user("pair_drafter", "city_admin")
    warning = services.create_warning(drafter_admin, warning_data())
    warning = services.update_warning(editor, warning, {"instruction": "注意防范。"}, expected_version=warning.version)
    warning = services.transition(drafter_admin, warning, "submit")
    actor = {"drafter": drafter_admin, "editor": editor, "reviewer": roles["reviewer"]}[pair.split("-")[0]]
    if pair.endswith("signs"):
        warning = services.transition(roles["reviewer"], warning, "approve")
    action = "approve" if pair.endswith("approves") else "sign"
    with pytest.raises(Forbidden, match="自己起草|自己修改过内容|同一人"):
        services.transition(actor, warning, action)
    assert action not in [t.action for t in services.available_actions(actor, warning)]
    if action == "sign":
        assert services.transition(signer, warning, "sign").state == wf.SIGNED
