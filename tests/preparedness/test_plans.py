"""The plan lifecycle through the services: each transition with its role and guard checks,
opinions (experts from the registry), versions and the diff, filing deadline, the 3-year
evaluation and the revision tasks it and the registries raise."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import CITY, ZHANGWU
from yingji.audit.models import AuditEntry
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.preparedness import plans, selectors
from yingji.preparedness.plan_text import diff, extract_text

NOON = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Monday


def test_draft_is_written_with_its_first_version_and_audited(people, draft):
    plan = draft()
    assert plan.state == "drafting" and plan.drafted_by == people["commander"]
    assert [v.number for v in plan.versions.all()] == [1]
    assert AuditEntry.objects.filter(model="preparedness.EmergencyPlan", object_id=str(plan.pk)).count() >= 2


@pytest.mark.parametrize("role", ["duty", "viewer"])
def test_roles_without_drafting_may_not_draft(people, draft, role):
    with pytest.raises(Forbidden, match="无权修改应急预案"):
        draft(user=role)


def test_county_may_not_draft_a_city_plan(people, draft):
    with pytest.raises(Forbidden, match="不在您的管辖范围内"):
        draft(user="zhangwu")
    assert draft(user="zhangwu", division_code=ZHANGWU, owner_unit="彰武县人民政府", kind="general").state == "drafting"


def test_each_transition_in_order_with_its_guards(people, experts, draft):
    plan = draft()
    plan = plans.act(people["commander"], plan, "consult")
    assert plan.state == "consulting"
    with pytest.raises(ValidationFailed, match="至少登记一条反馈意见"):
        plans.act(people["commander"], plan, "review")
    plans.record_opinion(people["commander"], plan, {"source": "阜新市公安局", "content": "补充交通管制"})
    plan = plans.act(people["commander"], plan, "review")
    with pytest.raises(ValidationFailed, match="至少登记 1 位专家"):
        plans.act(people["commander"], plan, "submit")
    with pytest.raises(ValidationFailed, match="须选择专家库中的专家"):
        plans.record_opinion(people["commander"], plan, {"content": "意见", "conclusion": "pass"})
    plans.record_opinion(people["commander"], plan, {"expert_id": experts[0].pk, "conclusion": "fail", "content": "不可行"})
    with pytest.raises(Conflict, match="已登记本版次的评审意见"):
        plans.record_opinion(people["commander"], plan, {"expert_id": experts[0].pk, "conclusion": "pass", "content": "x"})
    with pytest.raises(ValidationFailed, match="不通过"):
        plans.act(people["commander"], plan, "submit")
    plan = plans.act(people["commander"], plan, "return", comment="按专家意见修改")
    assert plan.state == "drafting"
    plans.save_text(people["commander"], plan, text="第一章 总则\n1.1 编制目的\n为了规范危险化学品事故应对。", note="按评审意见修改")
    plan = plans.act(people["commander"], plan, "consult")
    plans.record_opinion(people["commander"], plan, {"source": "阜新市生态环境局", "content": "同意"})
    plan = plans.act(people["commander"], plan, "review")
    plans.record_opinion(people["commander"], plan, {"expert_id": experts[1].pk, "conclusion": "pass", "content": "可行"})
    plan = plans.act(people["commander"], plan, "submit")
    assert plan.state == "approving"
    with pytest.raises(Forbidden, match="无权执行“审批通过”"):
        plans.act(people["commander"], plan, "approve")
    plan = plans.act(people["city"], plan, "approve")
    assert plan.state == "approved" and plan.approved_by == people["city"]
    with pytest.raises(Conflict, match="不能执行“登记备案”"):
        plans.act(people["commander"], plan, "file", receipt="x")
    with time_machine.travel(NOON, tick=False):
        plan = plans.act(people["city"], plan, "publish")
    assert plan.state == "published" and plan.versions.get(number=2).published
    assert timezone.localtime(plan.filing_due_at).date() == dt.date(2026, 3, 31)
    with pytest.raises(ValidationFailed, match="须填写备案登记编号"):
        plans.act(people["commander"], plan, "file")
    plan = plans.act(people["commander"], plan, "file", receipt="阜应急备〔2026〕3号")
    assert plan.state == "filed" and plan.filing_receipt == "阜应急备〔2026〕3号"
    with pytest.raises(Conflict, match="只有起草中的预案可以修改"):
        plans.save_text(people["commander"], plan, text="改")
    assert AuditEntry.objects.filter(model="preparedness.EmergencyPlan", object_id=str(plan.pk), action="transition").count() == 9  # every successful step, none of the refused ones


def test_approver_may_not_approve_own_draft(people, draft, advance):
    plan = advance(draft(user="city2"), "approving")
    with pytest.raises(ValidationFailed, match="审批人不能是预案起草人"):
        plans.act(people["city2"], plan, "approve")
    with pytest.raises(ValidationFailed, match="退回时必须填写退回意见"):
        plans.act(people["city"], plan, "reject")
    assert plans.act(people["city"], plan, "reject", comment="补充保障措施").state == "drafting"


def test_filing_overdue_after_twenty_working_days(people, draft, advance):
    with time_machine.travel(NOON, tick=False):
        plan = advance(draft(), "published")
    status = selectors.filing(plan, now=dt.datetime(2026, 3, 31, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert (status.state, status.label) == ("overdue", "备案已逾期")
    assert selectors.filing(plan, now=dt.datetime(2026, 3, 30, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))).state == "pending"


def test_revision_keeps_the_published_text_and_a_readable_diff(people, draft, advance):
    plan = advance(draft(), "filed")
    plan = plans.act(people["commander"], plan, "revise", comment="机构改革，指挥机构调整")
    assert (plan.state, plan.revision) == ("drafting", 2)
    plans.save_text(people["commander"], plan, text="第一章 总则\n1.1 编制目的\n为了规范危化事故应对和处置。\n1.2 适用范围")
    versions = list(plan.versions.all())
    assert [(v.number, v.revision, v.published) for v in versions] == [(2, 2, False), (1, 1, True)]
    rows = diff(versions[1].text, versions[0].text)
    assert {"op": "added", "text": "1.2 适用范围"} in rows
    changed = next(r for r in rows if r["op"] == "changed")
    assert (True, "和处置") in changed["new"]


def test_evaluation_due_after_three_years_raises_a_task_once(people, draft, advance):
    with time_machine.travel(dt.datetime(2023, 4, 3, 10, 0, tzinfo=dt.timezone.utc), tick=False):
        plan = advance(draft(), "filed")
    assert selectors.evaluation(plan, dt.date(2026, 4, 3)).state == "due_soon"
    assert selectors.evaluation(plan, dt.date(2026, 4, 4)).state == "overdue"
    assert plans.sweep_triggers(dt.date(2026, 4, 4)) == 1
    assert plans.sweep_triggers(dt.date(2026, 4, 5)) == 0  # raised once
    task = plan.revision_tasks.get()
    assert task.trigger == "evaluation" and "已满3年" in task.detail and task.state == "open"
    with time_machine.travel(dt.datetime(2026, 4, 10, 10, 0, tzinfo=dt.timezone.utc), tick=False):
        plans.record_evaluation(people["commander"], plan, {"evaluated_on": "2026-04-10", "evaluators": "王专家等3人",
                                                            "conclusion": "revise", "findings": "机构改革后职责变化"})
        plan.refresh_from_db()
        assert selectors.evaluation(plan).state == "not_due"
        assert selectors.evaluation(plan).due == dt.date(2029, 4, 10)
    assert plan.revision_tasks.filter(trigger="evaluation", source_key__startswith="evaluation-").count() == 2
    plans.close_task(people["commander"], task, "已组织评估")
    with pytest.raises(Conflict, match="已办结或撤销"):
        plans.close_task(people["commander"], task, "再次")


def test_disbanded_team_and_empty_warehouse_show_and_raise_tasks(people, draft, advance):
    from yingji.core.records import create_record, delete_record
    from yingji.resources.models import RescueTeam, Warehouse

    team = create_record(people["city"], RescueTeam, {
        "name": "阜新市危化救援队（测试）", "category": "professional", "level": "city", "headcount": 30, "leader": "张三",
        "leader_phone": "13800000001", "duty_phone": "0418-2800000", "division_code": CITY})
    store = create_record(people["city"], Warehouse, {
        "code": "T-01", "name": "测试储备库", "level": "city", "area_m2": "100", "manager": "李四",
        "manager_phone": "13800000002", "division_code": CITY})
    plan = advance(draft(), "filed")
    plans.add_resource(people["commander"], plan, "team", team.pk, "危化品堵漏")
    plans.add_resource(people["commander"], plan, "warehouse", store.pk, "防护物资")
    with pytest.raises(Conflict, match="预案已关联"):
        plans.add_resource(people["commander"], plan, "team", team.pk)
    states = {r["name"]: r["problem"] for r in selectors.resource_states(plan)}
    assert states == {"阜新市危化救援队（测试）": "", "测试储备库": "该储备库当前库存为空"}
    delete_record(people["city"], team)
    states = {r["name"]: r["problem"] for r in selectors.resource_states(plan)}
    assert states["阜新市危化救援队（测试）"] == "该队伍已从救援队伍台账中撤销（解散）"
    assert plans.sweep_triggers() == 2
    assert set(plan.revision_tasks.values_list("trigger", flat=True)) == {"resource_change"}


def test_linkage_graph_shows_both_directions_within_scope(people, draft):
    city_plan = draft()
    county_plan = draft(user="zhangwu", division_code=ZHANGWU, owner_unit="彰武县人民政府", kind="general",
                        name="彰武县突发事件总体应急预案（测试）")
    other = draft(name="阜新市地震应急预案（测试）")
    plans.add_relation(people["commander"], city_plan, county_plan, "parent")
    plans.add_relation(people["commander"], other, city_plan, "peer", "同级衔接")
    with pytest.raises(Conflict, match="该衔接关系已存在"):
        plans.add_relation(people["commander"], city_plan, county_plan, "parent")
    edges = selectors.graph(people["city"], city_plan)["edges"]
    assert [(e["other"].name, e["kind"], e["outgoing"]) for e in edges] == [
        ("彰武县突发事件总体应急预案（测试）", "上下级衔接", True), ("阜新市地震应急预案（测试）", "同级部门衔接", False)]
    assert selectors.graph(people["zhangwu"], county_plan)["edges"] == []  # the city plan is not the county's to see


def test_county_plan_may_not_name_another_countys_team(people, draft):
    from yingji.core.records import create_record
    from yingji.resources.models import RescueTeam

    team = create_record(people["city"], RescueTeam, {
        "name": "海州区救援队（测试）", "category": "professional", "level": "county", "headcount": 10, "leader": "王五",
        "leader_phone": "13800000003", "duty_phone": "0418-2800001", "division_code": "210902000000"})
    plan = draft(user="zhangwu", division_code=ZHANGWU, owner_unit="彰武县人民政府", kind="general")
    with pytest.raises(Forbidden, match="不在您的管辖范围"):
        plans.add_resource(people["zhangwu"], plan, "team", team.pk)


def test_uploaded_docx_text_is_extracted_and_searchable(people, draft):
    import docx

    document = docx.Document()
    document.add_paragraph("阜新市森林草原火灾应急预案")
    document.add_paragraph("扑火前线指挥部设在细河区")
    buffer = io.BytesIO()
    document.save(buffer)
    plan = draft(name="森林草原火灾预案（测试）")
    plans.save_text(people["commander"], plan, file_name="预案.docx", content=buffer.getvalue(), note="上传全文")
    assert "扑火前线指挥部" in plan.versions.first().text
    found = selectors.search(people["viewer"], "前线指挥部")
    assert [p.pk for p, _ in found] == [plan.pk] and "细河区" in found[0][1]
    assert selectors.search(people["viewer"], "不存在的词") == []
    with pytest.raises(ValidationFailed, match="不支持旧版 .doc"):
        extract_text("a.doc", b"x")
    with pytest.raises(ValidationFailed, match="无法读取该 .docx"):
        extract_text("a.docx", b"not a zip")
