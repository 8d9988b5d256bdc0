"""API routes beyond the registries: hazard-source units and gradings, grading preview,
hidden-hazard transitions and photos, risk map, statistics and overdue lists."""

from __future__ import annotations

import datetime as dt
from typing import Optional, Union

from django.http import HttpResponse
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from yingji.core import capabilities, scope
from yingji.core.api_schemas import XLSX, FeatureCollection, errors, file_download
from yingji.core.registry import REGISTRIES
from yingji.rules import hidden_hazard as rules

from . import grading, loop, risk, stats
from .models import HazardSource
from .schemas import EscalatedOut, GradeIn, GradePreviewOut, OverdueOut, RiskMapOut, StatisticsOut

Number = Union[str, float, int]


class ChemicalOut(Schema):
    id: int
    name: str
    cas: str
    categories: str
    design_max_t: str
    storage_form: str


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    chemicals: list[ChemicalOut]


class GradingOut(Schema):
    id: int
    graded_at: dt.datetime
    trigger: str
    grade: Optional[int]
    grade_name: str
    is_major_hazard: bool
    exposed_people: int
    alpha: str
    S: str
    R: Optional[str]
    governing_unit: str
    settings: dict
    result: dict


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    action: str
    version: Optional[int] = None
    grade: Optional[str] = None
    opinion: Optional[str] = None
    reason: Optional[str] = None
    measures: Optional[str] = None
    responsible_person: Optional[str] = None
    deadline: Optional[str] = None
    funds_yuan: Optional[Number] = None
    supervising_unit: Optional[str] = None
    supervision_number: Optional[str] = None
    goals: Optional[str] = None
    safety_measures: Optional[str] = None
    note: Optional[str] = None
    evaluation_report: Optional[str] = None


class ActionOut(Schema):
    action: str
    label: str
    target: str
    target_label: str
    fields: list[str]


class HazardStateOut(Schema):
    id: int
    state: str
    state_label: str
    grade: str
    version: int
    deadline: Optional[dt.date]
    is_supervised: bool
    supervising_unit: str
    is_overdue: bool
    escalation_level: int
    actions: list[ActionOut]


class PhotoOut(Schema):
    id: int
    stage: str
    caption: str
    content_type: str
    size: int
    url: str


def _unit_json(unit) -> dict:
    return {"id": unit.pk, "name": unit.name, "kind": unit.kind, "description": unit.description,
            "chemicals": [{"id": c.pk, "name": c.name, "cas": c.cas, "categories": c.categories,
                           "design_max_t": str(c.design_max_t), "storage_form": c.storage_form}
                          for c in unit.chemicals.order_by("pk")]}


def grading_json(g) -> dict:
    return {"id": g.pk, "graded_at": g.graded_at, "trigger": g.trigger, "grade": g.grade, "grade_name": g.grade_name,
            "is_major_hazard": g.is_major_hazard, "exposed_people": g.exposed_people, "alpha": g.result.get("alpha"),
            "S": g.result.get("S"), "R": g.result.get("R"), "governing_unit": g.governing_unit,
            "settings": g.settings_used, "result": g.result}


def actions_json(hazard, user) -> list[dict]:
    return [{"action": t.action, "label": t.label, "target": t.target, "target_label": rules.STATES[t.target],
             "fields": list(loop.ACTION_FIELDS[t.action])} for t in loop.offered_actions(hazard, user)]


def state_json(hazard, user) -> dict:
    return {"id": hazard.pk, "state": hazard.state, "state_label": hazard.get_state_display(), "grade": hazard.grade,
            "version": hazard.version, "deadline": hazard.deadline, "is_supervised": hazard.is_supervised,
            "supervising_unit": hazard.supervising_unit, "is_overdue": hazard.is_overdue(),
            "escalation_level": hazard.escalation_level, "actions": actions_json(hazard, user)}


def photo_json(photo) -> dict:
    return {"id": photo.pk, "stage": photo.stage, "caption": photo.caption, "content_type": photo.content_type,
            "size": photo.size, "url": reverse("hazards:photo-file", args=[photo.pk])}


def source_router() -> Router:
    router = Router(tags=["重大危险源"])
    registry = REGISTRIES["hazard-sources"]

    @router.get("/{int:pk}/units", response={200: list[UnitOut], **errors(403)}, summary="危险源的单元及其危险化学品")
    def units(request, pk: int):
        source = registry.get(request.auth, pk)
        return [_unit_json(u) for u in source.units.order_by("pk")]

    @router.get("/{int:pk}/gradings", response={200: list[GradingOut], **errors(403)}, summary="分级历史（每次含完整计算过程）")
    def gradings(request, pk: int):
        source = registry.get(request.auth, pk)
        return [grading_json(g) for g in source.gradings.order_by("-graded_at", "-pk")]

    @router.post("/{int:pk}/regrade", response={200: GradingOut, 204: None, **errors(403)}, summary="按当前内容和设置重新分级")
    def regrade(request, pk: int):
        source = registry.get(request.auth, pk)
        scope.check_can_write(HazardSource, request.auth, source.division_code, source)
        result = grading.regrade(source, request.auth, "手动重新分级", force=True)
        return (200, grading_json(result)) if result else (204, None)

    return router


def hidden_router() -> Router:
    router = Router(tags=["隐患"])
    registry = REGISTRIES["hidden-hazards"]

    @router.get("/{int:pk}/transitions", response={200: HazardStateOut, **errors(403)}, summary="当前状态及本人可执行的操作")
    def offered(request, pk: int):
        return state_json(registry.get(request.auth, pk), request.auth)

    @router.post("/{int:pk}/transitions", response={200: HazardStateOut, **errors(403, 409)}, summary="执行闭环操作（确认、整改、复查、销号…）")
    def move(request, pk: int, payload: TransitionIn):
        """``action`` is one of: confirm, reject, start_rectification, supervise, submit_plan, approve_plan,
        return_plan, request_review, pass_review, fail_review, rectify_again, apply_resumption,
        approve_resumption, refuse_resumption, close. Illegal moves answer 409 (state), 403 (role)
        or 400 (missing input) with the Chinese reason; ``version`` refuses a stale move."""
        data = payload.dict(exclude_none=True)
        action, version = data.pop("action"), data.pop("version", None)
        hazard = loop.transition(request.auth, pk, action, data, expected_version=version)
        return state_json(hazard, request.auth)

    @router.get("/{int:pk}/photos", response={200: list[PhotoOut], **errors(403)}, summary="隐患照片")
    def photos(request, pk: int):
        return [photo_json(p) for p in registry.get(request.auth, pk).photos.order_by("pk")]

    @router.post("/{int:pk}/photos", response={201: PhotoOut, **errors(403, 409)}, summary="上传隐患照片（JPEG/PNG/WebP，≤5 MB）")
    def upload(request, pk: int, image: File[UploadedFile], stage: Form[str] = "discovery", caption: Form[str] = ""):
        photo = loop.add_photo(request.auth, registry.get(request.auth, pk), image, stage, caption)
        return Status(201, photo_json(photo))

    return router


def hazards_router() -> Router:
    router = Router(tags=["双重预防"])

    @router.post("/grade", response=GradePreviewOut, summary="GB 18218-2018 辨识与分级试算（不保存）")
    def preview(request, payload: GradeIn):
        """Body and answer as ``yingji rules hazard-grade``: ``{"units": [{"name", "chemicals": [{"name" or "cas"
        or "category", "quantity_t"}]}], "exposed_people": N}``. The caller's jurisdiction settings apply."""
        return grading.preview(payload.dict(), request.auth.region_code)

    @router.get("/risk-map", response=RiskMapOut, summary="风险四色图：按企业和按区划")
    def risk_map(request):
        data = risk.risk_map(request.auth)
        for row in data["enterprises"]:
            row.pop("enterprise")
        return data

    @router.get("/risk-map/points", response=FeatureCollection, summary="风险点 GeoJSON（按等级着色）")
    def risk_points(request):
        return risk.risk_point_features(request.auth)

    @router.get("/statistics", response=StatisticsOut, summary="隐患和重大危险源统计（区划、行业、等级、状态）")
    def statistics(request):
        return {"hidden_hazards": stats.hidden_hazard_statistics(request.auth),
                "hazard_sources": stats.hazard_source_statistics(request.auth)}

    @router.get("/overdue", response=OverdueOut, summary="逾期清单")
    def overdue(request):
        data = stats.overdue_lists(request.auth)
        today = data["today"]
        return {
            "hidden_hazards": [{"id": h.pk, "title": h.title, "enterprise": h.enterprise.name, "grade": h.grade,
                                "state": h.state, "deadline": h.deadline, "days_overdue": (today - h.deadline).days,
                                "escalation_level": h.escalation_level} for h in data["hidden_hazards"]],
            "evaluations": [{"id": s.pk, "name": s.name, "evaluation_due_on": s.evaluation_due_on}
                            for s in data["evaluations"]],
            "unfiled": [{"id": s.pk, "name": s.name, "filing_status": s.filing_status} for s in data["unfiled"]],
            "inspections": [{"id": t.pk, "title": t.title, "planned_on": t.planned_on, "status": t.status}
                            for t in data["inspections"]],
        }

    @router.get("/statistics/export", summary="统计与逾期清单导出（.xlsx）", response={200: None},
                openapi_extra=file_download(XLSX))
    def export(request):
        content, filename = stats.export_statistics(request.auth)
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @router.post("/escalate", response={200: EscalatedOut, **errors(403)}, summary="立即检查逾期重大隐患并升级督办（管理员/监管）")
    def escalate(request):
        capabilities.require(request.auth, "hazards.escalate", "只有监管人员和管理员可以执行逾期升级检查")
        return {"escalated": [h.pk for h in loop.escalate_overdue()]}

    return router


def mount(api) -> None:
    api.add_router("/hazard-sources/", source_router())
    api.add_router("/hidden-hazards/", hidden_router())
    api.add_router("/hazards/", hazards_router())
