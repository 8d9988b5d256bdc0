"""API: /api/v1/affairs/ — 督查督办 tasks (list, assign, steps) and assessment results
(registries add /api/v1/official-documents/). Errors in the one shape."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

from ninja import Router, Schema, Status

from yingji.core import scope
from yingji.core.api_schemas import errors, page_of
from yingji.core.pagination import paginate

from . import services
from .models import SupervisionTask

ERRORS = errors(400, 403, 404, 409)


class AffairsTaskOut(Schema):
    id: int
    title: str
    source: str
    content: str
    assignee: str
    division_code: str
    deadline: dt.date
    state: str
    progress: str
    done_on: Optional[dt.date]
    escalation_level: int
    version: int


AffairsTaskList = page_of(AffairsTaskOut, "AffairsTaskList")


class AffairsTaskIn(Schema):
    title: str
    source: str = "meeting"
    content: str
    assignee: str
    responsible_person: str = ""
    deadline: dt.date
    division_code: str


class AffairsTaskStepIn(Schema):
    action: str  # feedback, submit, accept, return, cancel
    version: Optional[int] = None
    progress: str = ""
    note: str = ""


class AffairsResultOut(Schema):
    unit: str
    items: Decimal
    bonus: Decimal
    total: Decimal
    veto: bool
    grade: str
    rank: int


def affairs_router() -> Router:
    router = Router(tags=["政务管理"])

    @router.get("/tasks/", response={200: AffairsTaskList}, summary="督办事项（本人管辖范围）")
    def list_tasks(request, state: str = "", page: int = 1, page_size: int = 50):
        qs = scope.visible(SupervisionTask.objects.all(), request.auth)
        return paginate(request, qs.filter(state=state) if state else qs)

    @router.post("/tasks/", response={201: AffairsTaskOut, **ERRORS}, summary="交办督办事项")
    def assign(request, payload: AffairsTaskIn):
        return Status(201, services.assign_task(request.auth, payload.dict()))

    @router.post("/tasks/{int:pk}/step", response={200: AffairsTaskOut, **ERRORS}, summary="反馈、报请办结、验收、退回、撤销")
    def step(request, pk: int, payload: AffairsTaskStepIn):
        return services.task_step(request.auth, pk, payload.action, {"progress": payload.progress, "note": payload.note},
                                  expected_version=payload.version)

    @router.get("/assessments/{int:pk}/results", response={200: list[AffairsResultOut], **ERRORS},
                summary="年度考核得分、等次与排名")
    def results(request, pk: int):
        assessment = services.get_assessment(request.auth, pk)
        return [r.__dict__ for r in services.results(assessment)
                if scope.is_visible(assessment, request.auth) or r.unit.startswith(request.auth.region_code[:6])]

    return router


def mount(api) -> None:
    api.add_router("/affairs/", affairs_router())
