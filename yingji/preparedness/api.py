"""API: /api/v1/preparedness/ — plans (list, create, detail with the filing and evaluation clocks
and the state of named resources, lifecycle steps, opinions, evaluations, revision tasks), the
drill board and improvement items, exam attempts (start, save answers, submit) and the yearly
training figures. Errors in the one shape: 400, 401, 403 (role or scope), 404, 409 (state)."""

from __future__ import annotations

from ninja import Router, Status

from yingji.core import scope
from yingji.core.api_schemas import Year, errors
from yingji.core.pagination import paginate
from yingji.rules import plan_lifecycle as pl

from . import drills, exams, plans, selectors, training_selectors
from .models import ExamAttempt, ExamSession, Trainee
from .schemas import (ExamAnswersIn, ExamAttemptOut, ExamAttemptStartIn, DrillBoardRowOut, TrainingFiguresOut, DrillImprovementIn,
                      DrillImprovementOut, EmergencyPlanActionIn, EmergencyPlanDetailOut, EmergencyPlanEvaluationIn, EmergencyPlanEvaluationOut, EmergencyPlanIn,
                      EmergencyPlanList, EmergencyPlanOpinionIn, EmergencyPlanOpinionOut, EmergencyPlanOut, RevisionTaskList)

ERRORS = errors(400, 403, 404)


def plan_detail(plan) -> dict:
    data = {f: getattr(plan, f) for f in EmergencyPlanOut.model_fields}
    filing, evaluation = selectors.filing(plan), selectors.evaluation(plan)
    data.update(state_label=pl.STATES[plan.state],
                filing={"state": filing.state, "label": filing.label, "due": filing.due},
                evaluation={"state": evaluation.state, "label": evaluation.label, "due": evaluation.due},
                resources=[{k: r[k] for k in ("kind", "name", "role", "problem")} for r in selectors.resource_states(plan)],
                versions=list(plan.versions.values_list("number", flat=True)))
    return data


def attempt_json(attempt: ExamAttempt, with_questions: bool) -> dict:
    data = {f: getattr(attempt, f) for f in ExamAttemptOut.model_fields if f != "questions"}
    if with_questions:
        data["questions"] = [{"id": q.pk, "kind": q.kind, "stem": q.stem, "points": points,
                              "options": [list(o) for o in q.options()]} for q, points in exams.questions_of(attempt)]
    return data


def plans_router() -> Router:
    router = Router(tags=["预案演练培训"])

    @router.get("/plans/", response={200: EmergencyPlanList, **errors(400)}, summary="应急预案（检索名称、简明版和全文）")
    def list_plans(request, q: str = "", kind: str = "", state: str = "", page: int = 1, page_size: int = 50):
        return paginate(request, [p for p, _ in selectors.search(request.auth, q, kind, state)])

    @router.post("/plans/", response={201: EmergencyPlanOut, **ERRORS}, summary="起草预案")
    def create_plan(request, payload: EmergencyPlanIn):
        data = payload.dict(exclude={"text"}, exclude_none=True)
        return Status(201, plans.create_plan(request.auth, data, text=payload.text))

    @router.get("/plans/{int:pk}", response={200: EmergencyPlanDetailOut, **ERRORS}, summary="预案详情：备案与评估期限、所列资源现状")
    def detail(request, pk: int):
        return plan_detail(selectors.get_plan(request.auth, pk))

    @router.post("/plans/{int:pk}/actions/{action}", response={200: EmergencyPlanDetailOut, **ERRORS, **errors(409)},
                 summary="预案流转：consult 征求意见、review 专家评审、submit 提交审批、return 退回、reject 审批退回、"
                         "approve 审批通过、publish 印发、file 备案、revise 启动修订、abolish 废止")
    def act(request, pk: int, action: str, payload: EmergencyPlanActionIn):
        plan = plans.act(request.auth, selectors.get_plan(request.auth, pk), action, comment=payload.comment,
                         receipt=payload.receipt, expected_version=payload.version)
        return plan_detail(plan)

    @router.post("/plans/{int:pk}/opinions", response={201: EmergencyPlanOpinionOut, **ERRORS, **errors(409)},
                 summary="登记征求意见反馈或专家评审意见")
    def opinion(request, pk: int, payload: EmergencyPlanOpinionIn):
        return Status(201, plans.record_opinion(request.auth, selectors.get_plan(request.auth, pk), payload.dict()))

    @router.post("/plans/{int:pk}/evaluations", response={201: EmergencyPlanEvaluationOut, **ERRORS, **errors(409)},
                 summary="登记预案评估（需要修订时自动提出修订任务）")
    def evaluation(request, pk: int, payload: EmergencyPlanEvaluationIn):
        return Status(201, plans.record_evaluation(request.auth, selectors.get_plan(request.auth, pk), payload.dict()))

    @router.get("/revision-tasks/", response={200: RevisionTaskList}, summary="待办的预案修订任务")
    def tasks(request, page: int = 1, page_size: int = 50):
        return paginate(request, selectors.open_tasks(request.auth))

    @router.get("/drill-board", response={200: list[DrillBoardRowOut]}, summary="演练频次达标情况（已满足、待完成、已逾期）")
    def board(request, state: str = ""):
        return [{k: v for k, v in r.items() if k in DrillBoardRowOut.model_fields}
                for r in selectors.board(request.auth) if not state or r["state"] == state]

    @router.post("/drills/{int:pk}/improvements", response={201: DrillImprovementOut, **ERRORS, **errors(409)},
                 summary="登记演练发现的问题与整改事项（涉及预案时同时提出修订任务）")
    def improvement(request, pk: int, payload: DrillImprovementIn):
        return Status(201, drills.add_improvement(request.auth, selectors.get_drill(request.auth, pk), payload.dict()))

    @router.post("/exams/{int:pk}/attempts", response={201: ExamAttemptOut, **ERRORS, **errors(409)},
                 summary="开考：为考生随机组卷（同一考生同时只能有一场未交卷的考试）")
    def start(request, pk: int, payload: ExamAttemptStartIn):
        session = scope.get_visible(ExamSession.objects.all(), pk, request.auth, "考试场次")
        trainee = scope.get_visible(Trainee.objects.all(), payload.trainee_id, request.auth, "培训学员")
        return Status(201, attempt_json(exams.start(request.auth, session, trainee), True))

    @router.get("/attempts/{int:pk}", response={200: ExamAttemptOut, **ERRORS}, summary="考试记录（含试题，不含答案）")
    def attempt(request, pk: int):
        return attempt_json(_attempt(request, pk), True)

    @router.put("/attempts/{int:pk}/answers", response={200: ExamAttemptOut, **ERRORS, **errors(409)},
                summary="保存答案（超过考试时长后不再接受，409）")
    def save(request, pk: int, payload: ExamAnswersIn):
        return attempt_json(exams.save_answers(request.auth, _attempt(request, pk), payload.answers), False)

    @router.post("/attempts/{int:pk}/submit", response={200: ExamAttemptOut, **ERRORS, **errors(409)},
                 summary="交卷并自动评分（超时提交的答案不计分）")
    def submit(request, pk: int, payload: ExamAnswersIn):
        return attempt_json(exams.submit(request.auth, _attempt(request, pk), payload.answers), False)

    @router.get("/training-figures", response={200: TrainingFiguresOut}, summary="年度培训考试人次与目标（按县区、行业）")
    def figures(request, year: Year):
        data = training_selectors.yearly_figures(request.auth, year)
        return {k: v for k, v in data.items() if k in TrainingFiguresOut.model_fields}

    return router


def _attempt(request, pk: int) -> ExamAttempt:
    return scope.get_visible(ExamAttempt.objects.select_related("session"), pk, request.auth, "考试记录")


def mount(api) -> None:
    api.add_router("/preparedness/", plans_router())
