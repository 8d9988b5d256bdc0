"""Pure rules of plans, drills and training: the lifecycle table and its role checks, the filing
deadline (20 working days), the 3-year evaluation, drill quotas (satisfied / due / overdue per
kind), exam assembly, scoring, the time limit and certificate validity."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from yingji.profiles import load as load_profile
from yingji.rules import drill_quotas as dq
from yingji.rules import plan_lifecycle as pl
from yingji.rules import training as tr
from yingji.rules.statemachine import TransitionError

BJ = timezone(timedelta(hours=8))


def test_lifecycle_runs_in_order_and_checks_roles():
    wf = pl.WORKFLOW
    assert wf.check("consult", pl.DRAFTING, ["commander"], {"has_text": True}).target == pl.CONSULTING
    with pytest.raises(TransitionError, match="预案尚无正文"):
        wf.check("consult", pl.DRAFTING, ["commander"], {"has_text": False})
    with pytest.raises(TransitionError, match="至少登记一条反馈意见"):
        wf.check("review", pl.CONSULTING, ["commander"], {"consultation_opinions": 0})
    with pytest.raises(TransitionError, match="有专家评审结论为“不通过”"):
        wf.check("submit", pl.REVIEWING, ["commander"], {"expert_opinions": 3, "expert_rejections": 1})
    assert wf.check("submit", pl.REVIEWING, ["commander"], {"expert_opinions": 1}).target == pl.APPROVING
    with pytest.raises(TransitionError, match="无权执行“审批通过”"):
        wf.check("approve", pl.APPROVING, ["commander"], {})
    with pytest.raises(TransitionError, match="审批人不能是预案起草人"):
        wf.check("approve", pl.APPROVING, ["city_admin"], {"actor": 7, "drafter": 7})
    assert wf.check("approve", pl.APPROVING, ["city_admin"], {"actor": 8, "drafter": 7}).target == pl.APPROVED
    with pytest.raises(TransitionError, match="不能执行“印发（发布）”"):
        wf.check("publish", pl.APPROVING, ["city_admin"], {})
    assert wf.check("publish", pl.APPROVED, ["county_admin"], {}).target == pl.PUBLISHED
    assert wf.check("file", pl.PUBLISHED, ["commander"], {}).target == pl.FILED
    with pytest.raises(TransitionError, match="退回时必须填写退回意见"):
        wf.check("revise", pl.FILED, ["commander"], {"comment": " "})
    assert wf.check("revise", pl.FILED, ["commander"], {"comment": "机构改革"}).target == pl.DRAFTING
    with pytest.raises(TransitionError, match="无权执行"):
        wf.check("consult", pl.DRAFTING, ["duty_officer"], {"has_text": True})


def test_filing_deadline_is_20_working_days_after_publication():
    published = datetime(2026, 3, 2, 10, 0, tzinfo=BJ)  # a Monday
    due = pl.filing_due(published)
    assert due == datetime(2026, 3, 31, 0, 0, tzinfo=BJ)  # end of Monday 30 March: 4 full weeks
    assert pl.filing_status(published, None, published).last_day == date(2026, 3, 30)
    assert pl.filing_status(published, None, due - timedelta(minutes=1)).state == "pending"
    assert pl.filing_status(published, None, due).state == "overdue"
    assert pl.filing_status(published, due - timedelta(hours=1), due + timedelta(days=9)).label == "按期备案"
    assert pl.filing_status(published, due + timedelta(hours=1), due + timedelta(days=9)).label == "逾期备案"
    assert pl.filing_status(None, None, due).state == "not_required"


def test_evaluation_every_three_years_from_publication_or_last_evaluation():
    assert pl.evaluation_due(date(2023, 5, 10), None) == date(2026, 5, 10)
    assert pl.evaluation_due(date(2020, 2, 29), date(2021, 2, 28)) == date(2024, 2, 28)
    status = pl.evaluation_status(pl.FILED, date(2023, 5, 10), None, date(2026, 5, 11))
    assert (status.state, status.label) == ("overdue", "评估已逾期")
    assert pl.evaluation_status(pl.PUBLISHED, date(2023, 5, 10), None, date(2026, 3, 1)).state == "due_soon"
    assert pl.evaluation_status(pl.PUBLISHED, date(2023, 5, 10), date(2025, 1, 1), date(2026, 5, 11)).state == "not_due"
    assert pl.evaluation_status(pl.DRAFTING, date(2020, 1, 1), None, date(2026, 5, 11)).state == "not_required"


@pytest.mark.parametrize(("kind", "high_risk", "quota"), [
    ("enterprise_onsite", False, "enterprise_onsite"), ("enterprise_comprehensive", False, "enterprise_plan"),
    ("enterprise_special", True, "high_risk_unit"), ("special", False, "gov_plan"), ("department", False, "gov_plan"),
    ("general", False, "gov_production"), ("village", False, None)])
def test_plan_kind_selects_its_drill_quota(kind, high_risk, quota):
    assert dq.plan_quota(kind, high_risk) == quota


def test_interval_quota_satisfied_due_and_overdue():
    onsite = dq.QUOTAS["enterprise_onsite"]  # every 6 months
    today = date(2026, 6, 30)
    assert dq.compliance(onsite, [(date(2026, 4, 1), False)], today).state == "satisfied"
    due = dq.compliance(onsite, [(date(2026, 1, 15), False)], today)
    assert (due.state, due.next_due) == ("due", date(2026, 7, 15))
    late = dq.compliance(onsite, [(date(2025, 11, 1), False)], today)
    assert (late.state, late.next_due, late.label) == ("overdue", date(2026, 5, 1), "已逾期")
    assert dq.compliance(onsite, [], today, since=date(2026, 3, 1)).state == "satisfied"  # clock from publication
    assert dq.compliance(onsite, [], today).state == "overdue"  # no drill and no start: owed now
    assert dq.compliance(onsite, [(date(2026, 8, 1), False)], today).state == "overdue"  # a planned drill counts not
    gov = dq.QUOTAS["gov_plan"]
    assert dq.compliance(gov, [(date(2023, 8, 1), False)], today).next_due == date(2026, 8, 1)


def test_yearly_quotas_spread_over_the_year_and_count_large_drills_only_where_required():
    fuxin = {row["code"]: dq.local_quota(row) for row in load_profile("fuxin").drill_quotas}  # 阜政办发〔2022〕9号 L202
    county = fuxin["county"]  # twice a year: by 30 June and by 31 December
    assert dq.compliance(county, [], date(2026, 6, 30)).state == "due"
    assert dq.compliance(county, [], date(2026, 7, 1)).state == "overdue"
    one = dq.compliance(county, [(date(2026, 3, 1), False)], date(2026, 7, 1))
    assert (one.state, one.done, one.next_due) == ("due", 1, date(2026, 12, 31))
    assert dq.compliance(county, [(date(2026, 3, 1), False), (date(2026, 5, 1), False)], date(2026, 7, 1)).state == "satisfied"
    assert dq.compliance(county, [(date(2025, 3, 1), False), (date(2025, 9, 1), False)], date(2026, 2, 1)).state == "due"
    city = fuxin["city_large"]
    assert dq.compliance(city, [(date(2026, 3, 1), False)], date(2026, 12, 31)).state == "due"  # not a large drill
    assert dq.compliance(city, [(date(2026, 3, 1), True)], date(2026, 12, 31)).state == "satisfied"
    assert dq.compliance(city, [(date(2025, 3, 1), True)], date(2026, 1, 1)).state == "due"


POOL = [tr.QuestionRef(i, "危化品安全" if i <= 30 else "应急管理", "single" if i % 3 else "judge", 1 + i % 3)
        for i in range(1, 61)]


def test_assembly_draws_without_repeats_by_topic_kind_and_difficulty():
    parts = [tr.Part(10, Decimal(5), kind="single", topic="危化品安全"), tr.Part(10, Decimal(5), topic="应急管理")]
    paper = tr.assemble(POOL, parts, random.Random(1))
    ids = [qid for qid, _ in paper]
    assert len(ids) == len(set(ids)) == 20
    assert all(q.topic == "危化品安全" and q.kind == "single" for q in POOL if q.id in ids[:10])
    assert all(q.topic == "应急管理" for q in POOL if q.id in ids[10:])
    assert tr.blueprint_total(parts) == 100
    assert tr.assemble(POOL, parts, random.Random(2)) != paper  # another candidate gets another paper
    hard = [tr.Part(15, Decimal(2), kind="judge", difficulty=3)]
    with pytest.raises(tr.AssemblyError, match=r"第1部分（全部专题／判断题／难）需要 15 题，题库中只有 \d+ 题"):
        tr.assemble(POOL, hard, random.Random(1))


def test_answers_normalised_and_scored_without_partial_credit():
    assert tr.normalise_answer("multiple", "d,a b") == "ABD"
    assert tr.normalise_answer("judge", "对") == "T" and tr.normalise_answer("judge", "×") == "F"
    assert tr.display_answer("multiple", "ABD") == "A、B、D" and tr.display_answer("judge", "F") == "错"
    assert tr.normalise_answer("multiple", "A、B、D") == "ABD"
    with pytest.raises(ValueError, match="单选题只能有一个正确答案"):
        tr.normalise_answer("single", "AB")
    with pytest.raises(ValueError, match="答案应为选项字母"):
        tr.normalise_answer("single", "G")
    items = [(1, "single", "B", Decimal(40)), (2, "multiple", "ACD", Decimal(40)), (3, "judge", "F", Decimal(20))]
    assert tr.score(items, {"1": "B", "2": "AC", "3": "F"}) == (Decimal(60), Decimal(100))
    assert tr.score(items, {"1": "b", "2": "DCA", "3": "F"}) == (Decimal(100), Decimal(100))
    shown = [(1, "single", "B", Decimal(50)), (2, "multiple", "A、C、D", Decimal(50))]  # keys as stored
    assert tr.score(shown, {"1": "B", "2": "ACD"}) == (Decimal(100), Decimal(100))
    assert tr.passed(Decimal(80), Decimal(100)) and not tr.passed(Decimal("79.5"), Decimal(100))
    assert tr.passed(Decimal(40), Decimal(50))  # scaled to 100
    assert tr.passed(Decimal(70), Decimal(100), pass_mark=70)


def test_time_limit_accepts_answers_until_the_deadline_plus_grace():
    start = datetime(2026, 5, 1, 9, 0, tzinfo=BJ)
    end = tr.deadline(start, 60)
    assert end == datetime(2026, 5, 1, 10, 0, tzinfo=BJ)
    assert tr.accepts_answers(end, end + timedelta(seconds=tr.LATE_GRACE_SECONDS))
    assert not tr.accepts_answers(end, end + timedelta(seconds=tr.LATE_GRACE_SECONDS + 1))


def test_certificate_validity_review_and_renewal_window():
    leader = tr.certificate_dates("leader", date(2026, 3, 1))
    assert (leader.expires_on, leader.review_due_on) == (date(2029, 2, 28), None)
    special = tr.certificate_dates("special", date(2026, 3, 1))
    assert (special.expires_on, special.review_due_on) == (date(2032, 2, 29), date(2029, 2, 28))
    assert tr.certificate_state(date(2029, 2, 28), None, date(2028, 12, 30)) == ("renew", "即将到期，须换证")
    assert tr.certificate_state(date(2029, 2, 28), None, date(2028, 12, 29))[0] == "valid"
    assert tr.certificate_state(date(2029, 2, 28), None, date(2029, 3, 1)) == ("expired", "已过期")
    assert tr.certificate_state(date(2032, 2, 29), date(2029, 2, 28), date(2029, 1, 10)) == ("renew", "须办理复审/换证")
    assert tr.certificate_state(date(2032, 2, 29), date(2029, 2, 28), date(2029, 3, 1))[0] == "review_overdue"
    assert tr.certificate_state(date(2032, 2, 29), None, date(2026, 3, 1), revoked=True)[0] == "revoked"


def test_required_hours_by_post_and_sector():
    assert (tr.required_hours("principal", "general").initial, tr.required_hours("principal", "general").refresher) == (32, 12)
    assert (tr.required_hours("safety_manager", "hazchem").initial, tr.required_hours("safety_manager", "hazchem").refresher) == (48, 16)
    assert tr.required_hours("new_staff", "coal_mine").initial == 72
    assert tr.required_hours("new_staff", "construction").initial == 24
