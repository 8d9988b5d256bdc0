"""Emergency-plan lifecycle (应急预案管理): drafting → consultation → expert review → approval →
publication → filing, evaluation every 3 years and the conditions that force a revision.

Sources (docs/rules.md, "Emergency plans"):

* 《突发事件应急预案管理办法》 国办发〔2024〕5号 — plan classes, filing of government plans
  within **20 working days** of issue and to whom (第二十六条) [A]; periodic evaluation of
  government plans, in principle **every 3 years** [B-weak]; the revision triggers [B-weak].
* 《生产安全事故应急预案管理办法》 (应急管理部令第2号, 2019) — enterprise filing within 20
  working days of publication [B], evaluation every 3 years (第三十五条) [B], the six revision
  triggers (第三十六条, identical to 生产安全事故应急条例 第六条) [A].
* Role separation (the approver is not the drafter) is our rule, as in the warning workflow.

Pure module: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Mapping

from .capabilities import holders
from .deadlines import BEIJING, add_working_days
from .statemachine import StateMachine, Transition

DRAFTING, CONSULTING, REVIEWING, APPROVING = "drafting", "consulting", "reviewing", "approving"
APPROVED, PUBLISHED, FILED, ABOLISHED = "approved", "published", "filed", "abolished"

STATES = {
    DRAFTING: "起草中",
    CONSULTING: "征求意见",
    REVIEWING: "专家评审",
    APPROVING: "待审批",
    APPROVED: "已审批待发布",
    PUBLISHED: "已发布",
    FILED: "已备案",
    ABOLISHED: "已废止",
}
IN_FORCE = frozenset({PUBLISHED, FILED})
EDITABLE = frozenset({DRAFTING})

DRAFTERS = holders("plans.draft")
APPROVERS = holders("plans.approve")

KINDS = {
    "general": "总体应急预案",
    "special": "专项应急预案",
    "department": "部门应急预案",
    "joint": "联合应急预案",
    "township": "乡镇（街道）应急预案",
    "village": "村（社区）应急预案",
    "enterprise_comprehensive": "企业综合应急预案",
    "enterprise_special": "企业专项应急预案",
    "enterprise_onsite": "现场处置方案",
}
GOVERNMENT_KINDS = frozenset({"general", "special", "department", "joint"})
ENTERPRISE_KINDS = frozenset({"enterprise_comprehensive", "enterprise_special", "enterprise_onsite"})

FILING_WORKING_DAYS = 20
EVALUATION_YEARS = 3

# Where a plan is filed (2024 办法 第二十六条 for government and grassroots plans; 部令第2号 for
# enterprises): kind -> the body, described relative to the plan's owner.
FILING_TARGETS = {
    "general": "上一级人民政府（抄送其应急管理部门）",
    "special": "上一级相应牵头部门（抄送应急管理部门）",
    "department": "本级人民政府（抄送本级应急管理部门）",
    "joint": "共同的上一级人民政府（抄送应急管理部门）",
    "township": "县级人民政府（抄送县级应急管理部门）",
    "village": "乡镇人民政府（街道办事处）",
    "enterprise_comprehensive": "所在地县级以上应急管理部门和负有安全生产监管职责的部门",
    "enterprise_special": "所在地县级以上应急管理部门和负有安全生产监管职责的部门",
    "enterprise_onsite": "所在地县级以上应急管理部门和负有安全生产监管职责的部门",
}

# Conditions that force a revision: the six of 条例第六条 / 部令第2号 第三十六条, plus the
# government additions of the 2024 办法 (unit name or function changes; other key information).
REVISION_TRIGGERS = {
    "law_change": "依据的法律法规、规章、标准及上位预案中的有关规定发生重大变化",
    "organisation_change": "应急指挥机构及其职责发生调整",
    "risk_change": "面临的风险发生重大变化",
    "resource_change": "重要应急资源发生重大变化",
    "lessons": "在突发事件实际应对和应急演练中发现问题需要作出重大调整",
    "unit_change": "预案中的单位名称或职能发生变化",
    "evaluation": "定期评估认为应当修订",
    "other": "编制单位认为应当修订的其他情况",
}


def _not_drafter(context: Mapping[str, Any]) -> str | None:
    actor = context.get("actor")
    if actor is not None and actor == context.get("drafter"):
        return "审批人不能是预案起草人（审批须由起草人以外的人员完成）"
    return None


def _needs_comment(context: Mapping[str, Any]) -> str | None:
    return None if str(context.get("comment") or "").strip() else "退回时必须填写退回意见"


def _has_text(context: Mapping[str, Any]) -> str | None:
    return None if context.get("has_text") else "预案尚无正文：请先上传全文或填写正文"


def _consulted(context: Mapping[str, Any]) -> str | None:
    return None if context.get("consultation_opinions", 0) > 0 else "征求意见阶段须至少登记一条反馈意见"


def _reviewed(context: Mapping[str, Any]) -> str | None:
    experts = context.get("expert_opinions", 0)
    if experts < context.get("min_experts", 1):
        return f"专家评审须至少登记 {context.get('min_experts', 1)} 位专家的评审意见（已登记 {experts} 位）"
    if context.get("expert_rejections", 0):
        return "有专家评审结论为“不通过”：请退回修改后重新评审"
    return None


WORKFLOW = StateMachine(
    "plan_lifecycle",
    STATES,
    [
        Transition("consult", frozenset({DRAFTING}), CONSULTING, DRAFTERS, "提交征求意见", (_has_text,)),
        Transition("review", frozenset({CONSULTING}), REVIEWING, DRAFTERS, "提交专家评审", (_consulted,)),
        Transition("submit", frozenset({REVIEWING}), APPROVING, DRAFTERS, "提交审批", (_reviewed,)),
        Transition("return", frozenset({CONSULTING, REVIEWING}), DRAFTING, DRAFTERS, "退回修改", (_needs_comment,)),
        Transition("reject", frozenset({APPROVING}), DRAFTING, APPROVERS, "审批退回", (_not_drafter, _needs_comment)),
        Transition("approve", frozenset({APPROVING}), APPROVED, APPROVERS, "审批通过", (_not_drafter,)),
        Transition("publish", frozenset({APPROVED}), PUBLISHED, APPROVERS, "印发（发布）"),
        Transition("file", frozenset({PUBLISHED}), FILED, DRAFTERS, "登记备案"),
        Transition("revise", frozenset({PUBLISHED, FILED}), DRAFTING, DRAFTERS, "启动修订", (_needs_comment,)),
        Transition("abolish", frozenset({PUBLISHED, FILED}), ABOLISHED, APPROVERS, "废止", (_needs_comment,)),
    ],
)
HUMAN_ACTIONS = tuple(WORKFLOW.transitions)


def filing_due(published_at: datetime) -> datetime:
    """The end of the 20th working day after publication (Mon–Fri, Beijing time; no holiday
    calendar — the same documented simplification as the disaster-report clocks)."""
    return add_working_days(published_at, FILING_WORKING_DAYS)


@dataclass(frozen=True)
class FilingStatus:
    state: str  # "pending", "overdue", "on_time", "late", "not_required"
    label: str
    due: datetime | None  # the instant the period ends (24:00 of the last working day)

    @property
    def last_day(self) -> date | None:
        """The last working day of the period (what people read as the deadline)."""
        return (self.due - timedelta(seconds=1)).astimezone(BEIJING).date() if self.due else None


def filing_status(published_at: datetime | None, filed_at: datetime | None, now: datetime) -> FilingStatus:
    if published_at is None:
        return FilingStatus("not_required", "未发布", None)
    due = filing_due(published_at)
    if filed_at is not None:
        return FilingStatus("on_time", "按期备案", due) if filed_at < due else FilingStatus("late", "逾期备案", due)
    if now >= due:
        return FilingStatus("overdue", "备案已逾期", due)
    return FilingStatus("pending", "待备案", due)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def evaluation_due(published_on: date | None, last_evaluated_on: date | None) -> date | None:
    """Evaluation is due 3 years after the later of publication and the last evaluation."""
    start = max(d for d in (published_on, last_evaluated_on) if d is not None) if (published_on or last_evaluated_on) else None
    return add_years(start, EVALUATION_YEARS) if start else None


@dataclass(frozen=True)
class EvaluationStatus:
    state: str  # "not_due", "due_soon", "overdue", "not_required"
    label: str
    due: date | None


def evaluation_status(state: str, published_on: date | None, last_evaluated_on: date | None, today: date,
                      warn_days: int = 90) -> EvaluationStatus:
    if state not in IN_FORCE:
        return EvaluationStatus("not_required", "—", None)
    due = evaluation_due(published_on, last_evaluated_on)
    if due is None:
        return EvaluationStatus("not_required", "—", None)
    if today > due:
        return EvaluationStatus("overdue", "评估已逾期", due)
    if today >= due - timedelta(days=warn_days):
        return EvaluationStatus("due_soon", "即将到期评估", due)
    return EvaluationStatus("not_due", "未到评估期", due)


def local_date(moment: datetime) -> date:
    return moment.astimezone(BEIJING).date()
