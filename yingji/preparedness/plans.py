"""Writes of the plan registry, one function per use case: create and edit a draft, save its
text (typed or uploaded .docx/.pdf/.txt, text extracted), record opinions, take lifecycle
steps (the table is ``rules.plan_lifecycle``), evaluate, raise and close revision tasks, name
resources and linked plans. Every write goes through ``core.records``."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError
from django.utils import timezone
from django.utils.dateparse import parse_date

from yingji.core import records, scope
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.core.records import (SYSTEM, change, check_foreign_keys, create_record, transition,
                                 update_record, writing_children)
from yingji.geo import divcodes
from yingji.regions.models import Organisation
from yingji.resources.models import Expert, RescueTeam, Shelter, Warehouse
from yingji.rules import plan_lifecycle as pl
from yingji.core.records import audited_transaction

from .models import (EmergencyPlan, PlanEvaluation, PlanOpinion, PlanRelation, PlanResource, PlanVersion,
                     RevisionTask)
from .plan_text import extract_text
from .selectors import plan_alerts, stocked_for, with_resources

PLAN_FIELDS = ("name", "kind", "catastrophe", "owner_unit", "organisation_id", "enterprise_id", "event_types",
               "response_levels", "document_number", "classified", "brief", "electronic_id", "division_code",
               "is_synthetic")


def _clean(data: dict) -> dict:
    data = {k: v for k, v in data.items() if k in PLAN_FIELDS}
    for key in ("organisation_id", "enterprise_id", "electronic_id"):
        if key in data and data[key] in ("", None):
            data[key] = None
    if isinstance(data.get("event_types"), str):
        data["event_types"] = [t for t in data["event_types"].replace("，", ",").replace(" ", ",").split(",") if t]
    if "division_code" in data:
        try:
            data["division_code"] = divcodes.normalise(data["division_code"])
        except divcodes.DivisionCodeError as exc:
            raise ValidationFailed(str(exc), fields={"division_code": [str(exc)]}) from exc
    return data


def plan_document(plan: EmergencyPlan) -> dict:
    """The plan with its children (audit snapshot of a structural write)."""
    return {"id": plan.pk, "name": plan.name, "state": plan.state, "revision": plan.revision,
            "versions": [{"number": v.number, "revision": v.revision, "file_name": v.file_name, "note": v.note,
                          "published": v.published, "chars": len(v.text)} for v in plan.versions.all()],
            "opinions": [{"stage": o.stage, "source": o.source, "expert_id": o.expert_id, "conclusion": o.conclusion,
                          "content": o.content, "handling": o.handling} for o in plan.opinions.all()],
            "resources": [{"kind": r.kind, "name": r.name, "role": r.role} for r in plan.resources.all()],
            "relations": [{"other_id": r.other_id, "kind": r.kind} for r in plan.relations.all()],
            "evaluations": [{"evaluated_on": e.evaluated_on.isoformat(), "conclusion": e.conclusion}
                            for e in plan.evaluations.all()]}


def create_plan(user, data: dict, *, text: str = "", file_name: str = "", content: bytes | None = None) -> EmergencyPlan:
    """A new plan in 起草中, with its first text when given."""
    scope.check_can_create(EmergencyPlan, user)
    data = _clean(data)
    data.setdefault("division_code", divcodes.normalise(user.region_code))
    with audited_transaction():
        plan = create_record(user, EmergencyPlan, data, server={"state": pl.DRAFTING, "drafted_by": user},
                             note="起草预案")
        if text.strip() or content:
            save_text(user, plan, text=text, file_name=file_name, content=content, note="初稿")
    return plan


def _require_editable(plan: EmergencyPlan) -> None:
    if plan.state not in pl.EDITABLE:
        raise Conflict(f"预案当前状态为“{pl.STATES[plan.state]}”，只有起草中的预案可以修改；已发布的预案请先“启动修订”",
                       code="plan_not_editable")


def update_plan(user, plan: EmergencyPlan, data: dict, expected_version=None) -> EmergencyPlan:
    _require_editable(plan)
    data = _clean(data)
    return update_record(user, plan, data, expected_version=expected_version, note="修改预案基本信息")


def save_text(user, plan: EmergencyPlan, *, text: str = "", file_name: str = "", content: bytes | None = None,
              note: str = "") -> PlanVersion:
    """Save a new version of the plan's text: typed, or extracted from an uploaded file."""
    _require_editable(plan)
    if content:
        text = extract_text(file_name, content)
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed("正文不能为空", fields={"text": ["必填"]})
    with audited_transaction():
        locked = records.lock(plan, EmergencyPlan.objects)
        latest = locked.versions.order_by("-number").first()
        if latest is not None and latest.text == text and latest.revision == locked.revision:
            raise ValidationFailed("正文与上一版本相同，未保存新版本", fields={"text": ["未修改"]})
        with writing_children(user, locked, note=f"保存预案正文（{note or '修改'}）", document=plan_document):
            version = PlanVersion.objects.create(
                plan=locked, number=(latest.number + 1) if latest else 1, revision=locked.revision, text=text,
                file_name=(file_name or "")[:200], file_content=content or b"", note=(note or "")[:200],
                created_by=None if user is SYSTEM else user)
    return version


def usable_expert(expert: Expert, user) -> bool:
    """Experts of the user's scope and of the levels above it (the city's expert database serves
    the counties' reviews)."""
    return scope.is_visible(expert, user) or divcodes.is_within(user.region_code, expert.division_code)


def record_opinion(user, plan: EmergencyPlan, data: dict) -> PlanOpinion:
    """A consulted unit's feedback (征求意见 stage) or an expert's review (专家评审 stage: the
    expert comes from the registry, the conclusion is required, an expert is heard once per
    revision)."""
    stage = {pl.CONSULTING: "consultation", pl.REVIEWING: "review"}.get(plan.state)
    if stage is None:
        raise Conflict(f"预案当前状态为“{pl.STATES[plan.state]}”，只能在征求意见或专家评审阶段登记意见",
                       code="plan_not_collecting")
    content = (data.get("content") or "").strip()
    if not content:
        raise ValidationFailed("意见内容不能为空", fields={"content": ["必填"]})
    row = {"stage": stage, "revision": plan.revision, "review_round": plan.review_round, "content": content,
           "handling": (data.get("handling") or "").strip()[:200], "recorded_by": None if user is SYSTEM else user}
    if stage == "review":
        if not data.get("expert_id"):
            raise ValidationFailed("专家评审意见须选择专家库中的专家", fields={"expert_id": ["必选"]})
        expert = Expert.objects.filter(pk=data["expert_id"]).first()
        if expert is None:
            raise ValidationFailed("所选专家不在专家库中", fields={"expert_id": ["不存在"]})
        if user is not SYSTEM and not usable_expert(expert, user):
            raise Forbidden(f"专家{expert.name}不在您的管辖范围及上级专家库内", fields={"expert_id": ["不在范围内"]})
        if expert.availability == "unavailable":
            raise ValidationFailed(f"专家{expert.name}当前不可用，不能参加评审", fields={"expert_id": ["专家不可用"]})
        if data.get("conclusion") not in dict(PlanOpinion._meta.get_field("conclusion").choices):
            raise ValidationFailed("请选择评审结论", fields={"conclusion": ["必选"]})
        if plan.opinions.filter(stage="review", revision=plan.revision, review_round=plan.review_round,
                                expert=expert).exists():
            raise Conflict(f"专家{expert.name}已登记本版次的评审意见", code="expert_already_heard")
        row.update(expert=expert, source=expert.name, conclusion=data["conclusion"])
    else:
        source = (data.get("source") or "").strip()
        if not source:
            raise ValidationFailed("请填写提出意见的单位", fields={"source": ["必填"]})
        row["source"] = source[:100]
    with writing_children(user, plan, note=f"登记{dict(PlanOpinion._meta.get_field('stage').choices)[stage]}：{row['source']}",
                          document=plan_document):
        opinion = PlanOpinion.objects.create(plan=plan, **row)
    return opinion


def _context(user, comment: str):
    def build(row: EmergencyPlan) -> dict:
        opinions = row.opinions.filter(revision=row.revision, review_round=row.review_round)
        return {"actor": getattr(user, "pk", None), "drafter": row.drafted_by_id, "comment": comment,
                "has_text": row.versions.filter(revision=row.revision).exists(),
                "consultation_opinions": opinions.filter(stage="consultation").count(),
                "expert_opinions": opinions.filter(stage="review").count(),
                "expert_rejections": opinions.filter(stage="review", conclusion="fail").count(),
                "min_experts": 1}
    return build


def act(user, plan: EmergencyPlan, action: str, *, comment: str = "", receipt: str = "", expected_version=None,
        now: dt.datetime | None = None) -> EmergencyPlan:
    """Take one lifecycle step. 印发 starts the 20-working-day filing clock; 登记备案 needs the
    filing receipt number; 启动修订 opens the next revision (the published text stays in the
    version history)."""
    if action not in pl.HUMAN_ACTIONS:
        raise ValidationFailed(f"未知操作“{action}”", fields={"action": ["未知操作"]})
    now = now or timezone.now()
    if action == "file" and not receipt.strip():
        raise ValidationFailed("登记备案须填写备案登记编号", fields={"receipt": ["必填"]})

    def apply(row: EmergencyPlan, move, source: str) -> None:
        if action == "approve":
            row.approved_by, row.approved_at = (None if user is SYSTEM else user), now
        elif action == "publish":
            row.published_at, row.filing_due_at, row.filed_at, row.filing_receipt = now, pl.filing_due(now), None, ""
            row.last_evaluated_on = None
            latest = row.versions.filter(revision=row.revision).order_by("-number").first()
            PlanVersion.objects.filter(pk=latest.pk).update(published=True)
        elif action == "file":
            row.filed_at, row.filing_receipt = now, receipt.strip()[:60]
        elif action in ("return", "reject"):
            row.review_round += 1
        elif action == "revise":
            row.revision += 1
            row.review_round = 1
            row.drafted_by = None if user is SYSTEM else user
            row.approved_by = row.approved_at = None

    def note(row, move, source) -> str:
        return f"{move.label}" + (f"：{comment.strip()}" if comment.strip() else "") + \
            (f"（备案登记编号 {receipt.strip()}）" if action == "file" else "")

    return transition(user, plan, pl.WORKFLOW, action, context=_context(user, comment), apply=apply, note=note,
                      expected_version=expected_version, errors={"illegal_transition": Conflict})


def record_evaluation(user, plan: EmergencyPlan, data: dict) -> PlanEvaluation:
    """A periodic (or ad hoc) evaluation; "需要修订" raises a revision task."""
    if plan.state not in pl.IN_FORCE:
        raise Conflict("只有已发布（已备案）的预案需要评估", code="plan_not_in_force")
    day = parse_date(str(data.get("evaluated_on") or "")) if not isinstance(data.get("evaluated_on"), dt.date) \
        else data["evaluated_on"]
    if day is None:
        raise ValidationFailed("评估日期格式应为“年-月-日”，如 2026-12-03", fields={"evaluated_on": ["日期无效"]})
    if day > timezone.localdate():
        raise ValidationFailed("评估日期不能晚于今天", fields={"evaluated_on": ["不能晚于今天"]})
    conclusion = data.get("conclusion")
    if conclusion not in ("keep", "revise"):
        raise ValidationFailed("请选择评估结论", fields={"conclusion": ["必选"]})
    findings, evaluators = (data.get("findings") or "").strip(), (data.get("evaluators") or "").strip()
    if not findings or not evaluators:
        raise ValidationFailed("请填写评估人员和评估意见", fields={"findings": ["必填"], "evaluators": ["必填"]})
    with audited_transaction():
        with writing_children(user, plan, note=f"预案评估：{dict(PlanEvaluation._meta.get_field('conclusion').choices)[conclusion]}",
                              document=plan_document):
            evaluation = PlanEvaluation.objects.create(plan=plan, evaluated_on=day, evaluators=evaluators[:200],
                                                       conclusion=conclusion, findings=findings,
                                                       recorded_by=None if user is SYSTEM else user)
        change(user, plan, note="更新最近评估日期", last_evaluated_on=max(day, plan.last_evaluated_on or day))
        if conclusion == "revise":
            raise_task(user, plan, "evaluation", findings, owner_unit=plan.owner_unit,
                       due_on=day + dt.timedelta(days=90), source_key=f"evaluation-{evaluation.pk}")
    return evaluation


def raise_task(user, plan: EmergencyPlan, trigger: str, detail: str, *, owner_unit: str, due_on, source_key: str = "",
               parent=None) -> RevisionTask | None:
    """Raise a revision task. Automatic triggers pass ``source_key`` so the same condition is
    raised once (returns None when it already was). ``parent`` authorises the write through
    another record (a drill's improvement item); by default through the plan."""
    if trigger not in pl.REVISION_TRIGGERS:
        raise ValidationFailed(f"未知的修订情形“{trigger}”", fields={"trigger": ["未知"]})
    if isinstance(due_on, str):
        due_on = parse_date(due_on)
    if due_on is None:
        raise ValidationFailed("请填写完成期限（“年-月-日”，如 2026-12-31）", fields={"due_on": ["日期无效"]})
    if source_key and RevisionTask.objects.filter(plan=plan, source_key=source_key).exists():
        return None
    try:
        with audited_transaction():
            return create_record(user, RevisionTask, {
                "trigger": trigger, "detail": (detail or pl.REVISION_TRIGGERS[trigger]).strip(),
                "owner_unit": (owner_unit or plan.owner_unit).strip(), "due_on": due_on,
                "division_code": plan.division_code, "is_synthetic": plan.is_synthetic},
                server={"plan": plan, "source_key": source_key},
                parent=None if user is SYSTEM else (parent or plan),
                note=f"提出预案修订任务：{pl.REVISION_TRIGGERS[trigger]}")
    except IntegrityError:  # raised by a concurrent sweep in the meantime
        return None


def close_task(user, task: RevisionTask, result: str, *, cancel: bool = False) -> RevisionTask:
    scope.check_can_see(task, user)
    scope.check_can_write(RevisionTask, user, task.division_code)
    if not (result or "").strip():
        raise ValidationFailed("请填写办理结果" if not cancel else "请填写撤销原因", fields={"result": ["必填"]})
    with audited_transaction():
        current = records.lock(task, RevisionTask.objects)
        if current.state != "open":
            raise Conflict("该任务已办结或撤销", code="task_closed")
        return change(user, current, note=("撤销修订任务：" if cancel else "修订任务办结：") + result.strip(), lock=False,
                      audit_action="transition", state="cancelled" if cancel else "done", closed_at=timezone.now(),
                      result=result.strip())


RESOURCE_MODELS = {"team": RescueTeam, "warehouse": Warehouse, "shelter": Shelter, "organisation": Organisation}


def add_resource(user, plan: EmergencyPlan, kind: str, target_id, role: str = "") -> PlanResource:
    """Name a registry record in the plan (a team, warehouse, shelter or member unit)."""
    model = RESOURCE_MODELS.get(kind)
    if model is None:
        raise ValidationFailed("请选择资源类别", fields={"kind": ["未知类别"]})
    if not target_id:
        raise ValidationFailed("请选择资源", fields={"target_id": ["必选"]})
    probe = PlanResource(plan=plan, kind=kind, **{f"{kind}_id": target_id})
    if user is not SYSTEM:
        check_foreign_keys(user, probe, [kind])
    target = model.objects.filter(pk=target_id).first()
    if target is None:
        raise ValidationFailed("所选资源不存在", fields={"target_id": ["不存在"]})
    if plan.resources.filter(kind=kind, **{kind: target}).exists():
        raise Conflict(f"预案已关联“{target}”", code="resource_already_linked")
    with writing_children(user, plan, note=f"预案关联资源：{target}", document=plan_document):
        return PlanResource.objects.create(plan=plan, kind=kind, name=str(target)[:120], role=(role or "")[:200],
                                           **{kind: target})


def add_relation(user, plan: EmergencyPlan, other: EmergencyPlan, kind: str, note: str = "") -> PlanRelation:
    if kind not in dict(PlanRelation._meta.get_field("kind").choices):
        raise ValidationFailed("请选择衔接关系", fields={"kind": ["未知"]})
    if other.pk == plan.pk:
        raise ValidationFailed("预案不能与自身衔接", fields={"other_id": ["不能选择本预案"]})
    if plan.relations.filter(other=other, kind=kind).exists():
        raise Conflict("该衔接关系已存在", code="relation_exists")
    with writing_children(user, plan, note=f"预案衔接：{other}", document=plan_document):
        return PlanRelation.objects.create(plan=plan, other=other, kind=kind, note=(note or "")[:200])


def sweep_triggers(today: dt.date | None = None) -> int:
    """Raise, once each, the revision tasks the registry can see by itself: evaluation overdue
    (3 years), a named team removed from the registry or unavailable, a named warehouse empty.
    Run periodically by the worker and when the plan page is opened."""
    today = today or timezone.localdate()
    raised = 0
    # A province's plans in force in a few queries (not several per plan every ten minutes): the
    # named resources prefetched with their records, the warehouses' stock at once, and the tasks
    # already raised (``raise_task`` checks again, inside its write).
    in_force = EmergencyPlan.objects.filter(state__in=pl.IN_FORCE)
    plans = list(with_resources(in_force))
    stocked = stocked_for(plans)
    done = set(RevisionTask.objects.filter(plan__in=in_force).exclude(source_key="")
               .values_list("plan_id", "source_key"))
    for plan in plans:
        for alert in plan_alerts(plan, today, stocked):
            if (plan.pk, alert["key"]) in done:
                continue
            task = raise_task(SYSTEM, plan, alert["trigger"], alert["text"], owner_unit=plan.owner_unit,
                              due_on=today + dt.timedelta(days=alert.get("days", 30)), source_key=alert["key"])
            raised += task is not None
    return raised
