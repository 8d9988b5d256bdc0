"""The field app's reports: each carries the id the device generated when it was written
(possibly offline). A retried sync of the same report finds the stored row and answers it again
(``created`` False) — never a second row. The same id with different content is a conflict the
app shows (409), never an overwrite. A task update written against an older version of the task
is kept, marked 存在冲突 with what changed meanwhile, for the duty room to reconcile."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from django.db import IntegrityError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from yingji.command.models import Task
from yingji.core import capabilities, records, scope
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.records import audited_transaction

from .models import FIGURE_LABELS, FieldPhoto, FieldReport
from .photos import check_image

MAX_PHOTOS = 4
FIGURES = FIGURE_LABELS


def _hash(payload: dict, photo_digests: list[str]) -> str:
    keys = ("kind", "title", "description", "figures", "lon", "lat", "task_id", "task_version", "recorded_at")
    basis = json.dumps({k: payload.get(k) for k in keys} | {"photos": sorted(photo_digests)}, ensure_ascii=False,
                       sort_keys=True, default=str)
    return hashlib.sha256(basis.encode()).hexdigest()


def _digest(upload) -> str:
    upload.seek(0)
    digest = hashlib.sha256(upload.read()).hexdigest()
    upload.seek(0)
    return digest


def _figures(raw) -> dict:
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise ValidationFailed("灾情数字格式不正确", fields={"figures": ["格式不正确"]})
    out = {}
    for key, value in raw.items():
        if key not in FIGURES:
            raise ValidationFailed(f"未知的灾情指标：{key}", fields={"figures": [f"未知指标 {key}"]})
        if value in ("", None):
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = -1
        if number < 0:
            raise ValidationFailed(f"{FIGURES[key]}须为不小于 0 的数字", fields={key: ["须为非负数"]})
        out[key] = value if key == "direct_loss_wan" else int(number)
    return out


def sync(user, payload: dict, photos: list) -> tuple[FieldReport, bool]:
    """Store one report from the device; (report, created)."""
    capabilities.require(user, "field.report", "您的账号不能使用外业报送")
    try:
        client_id = uuid.UUID(str(payload.get("client_id", "")))
    except ValueError:
        raise ValidationFailed("报告缺少终端生成编号", fields={"client_id": ["无效"]}) from None
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(f"每份报告最多 {MAX_PHOTOS} 张照片", fields={"photos": ["过多"]})
    digests = [_digest(p) for p in photos]
    content_hash = _hash(payload, digests)
    existing = FieldReport.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _again(user, existing, content_hash), False
    kind = payload.get("kind", "")
    if kind not in dict(FieldReport.KINDS):
        raise ValidationFailed("请选择报送类型", fields={"kind": ["无效"]})
    title = (payload.get("title") or "").strip()
    if not title:
        raise ValidationFailed("请填写标题", fields={"title": ["必填"]})
    recorded_at = parse_datetime(str(payload.get("recorded_at") or "")) or timezone.now()
    if timezone.is_naive(recorded_at):
        recorded_at = timezone.make_aware(recorded_at, dt.timezone.utc)
    for photo in photos:
        ext, _ = check_image(photo, "photos")
        photo.name = f"photo.{ext}"
    task, task_version, state, conflict = None, None, "received", ""
    if kind == "task_update":
        task, task_version, state, conflict = _task_conflict(user, payload)
    lon, lat = payload.get("lon"), payload.get("lat")
    data = {"kind": kind, "title": title[:120], "description": (payload.get("description") or "")[:4000],
            "figures": _figures(payload.get("figures")), "lon": lon if lat is not None else None,
            "lat": lat if lon is not None else None}
    try:
        with audited_transaction():
            report = records.create_record(user, FieldReport, data, server={
                "client_id": client_id, "author": user, "recorded_at": recorded_at, "state": state,
                "conflict": conflict, "content_hash": content_hash, "task": task, "task_version": task_version,
                "division_code": user.region_code}, note="外业报送")
            for photo in photos:
                FieldPhoto.objects.create(report=report, image=photo, content_type=check_image(photo, "photos")[1],
                                          size=photo.size)
    except IntegrityError:
        # the same report arriving twice at once: the other request stored it first
        return _again(user, FieldReport.objects.get(client_id=client_id), content_hash), False
    return report, True


def _again(user, existing: FieldReport, content_hash: str) -> FieldReport:
    if existing.author_id != user.pk:
        raise Conflict("该报告编号已被其他账号使用", code="client_id_taken")
    if existing.content_hash != content_hash:
        raise Conflict(f"服务器上已有编号相同但内容不同的报告（{timezone.localtime(existing.received_at):%m-%d %H:%M} 收到），"
                       "未覆盖；请核对后作为新报告提交", code="sync_conflict")
    return existing


def _task_conflict(user, payload: dict):
    task = scope.get_visible(Task.objects.all(), payload.get("task_id"), user, "任务")
    try:
        version = int(payload.get("task_version"))
    except (TypeError, ValueError):
        raise ValidationFailed("任务进展须带填报时的任务版本", fields={"task_version": ["必填"]}) from None
    if task.version != version:
        return task, version, "conflict", (f"填报时任务为第 {version} 版，服务器上已是第 {task.version} 版"
                                           f"（当前状态：{task.get_state_display()}），请值班室核对后处理")
    return task, version, "received", ""


def mine(user, limit: int = 50):
    return FieldReport.objects.filter(author=user).order_by("-received_at")[:limit]
