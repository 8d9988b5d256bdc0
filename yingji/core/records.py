"""The one write path for business records: scope check, validation, optimistic
locking, location normalisation and audit, all in one transaction.

Every app's services call :func:`create_record`, :func:`update_record` and
:func:`delete_record` instead of saving models directly.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from yingji.audit import services as audit
from yingji.geo.coords import to_wgs84
from yingji.regions.services import check_location

from . import scope
from .errors import Conflict, ValidationFailed, from_django_validation


def _assign(obj: models.Model, data: Mapping[str, Any]) -> None:
    editable = {f.name: f for f in obj._meta.concrete_fields if f.editable}
    unknown = [k for k in data if k not in editable and not k.endswith("_id")]
    if unknown:
        raise ValidationFailed(f"未知字段：{'、'.join(unknown)}", fields={k: ["未知字段"] for k in unknown})
    for key, value in data.items():
        setattr(obj, key, value)


def _normalise_location(obj: models.Model) -> None:
    """Convert GCJ-02 / BD-09 input to WGS-84 once, keeping the source system recorded."""
    if getattr(obj, "lon", None) is None or getattr(obj, "coord_source", "WGS84") in ("WGS84", "CGCS2000"):
        return
    if getattr(obj, "_location_normalised", False):
        return
    obj.lon, obj.lat = to_wgs84(obj.lon, obj.lat, obj.coord_source)
    obj._location_normalised = True


def _validate(obj: models.Model, derive: Callable[[models.Model], None] | None = None) -> None:
    """Model validation, then the service layer's derived fields (grades, scores) if any."""
    try:
        obj.full_clean()
        if derive is not None:
            derive(obj)
    except ValidationError as exc:
        raise from_django_validation(exc) from exc
    check_location(obj)


def _save(obj: models.Model, **kwargs) -> None:
    try:
        obj.save(**kwargs)
    except IntegrityError as exc:
        raise Conflict(f"保存失败：与已有记录冲突（{exc}）") from exc


def create_record(user, model: type[models.Model], data: Mapping[str, Any], *, note: str = "",
                  derive: Callable[[models.Model], None] | None = None) -> models.Model:
    """Create a record. ``derive(obj)`` computes derived fields (and may raise ValidationError)
    after model validation, before the save: models hold data and invariants only."""
    obj = model()
    _assign(obj, data)
    _normalise_location(obj)
    scope.check_can_write(model, user, getattr(obj, "division_code", None) or user.region_code)
    if hasattr(obj, "division_code") and not obj.division_code:
        obj.division_code = user.region_code
    _validate(obj, derive)
    scope.check_can_write(model, user, obj.division_code, obj)
    obj.created_by = obj.updated_by = user
    with transaction.atomic():
        _save(obj)
        audit.record(user, "create", obj, after=audit.snapshot(obj), note=note)
    return obj


def update_record(user, obj: models.Model, data: Mapping[str, Any], *, expected_version: int | None = None,
                  note: str = "", derive: Callable[[models.Model], None] | None = None) -> models.Model:
    """Apply ``data`` to ``obj`` (``derive`` as in :func:`create_record`). ``expected_version`` is the version the editor started from:
    a save based on an older version is refused (two people editing the same record)."""
    model = type(obj)
    scope.check_can_see(obj, user)
    scope.check_can_write(model, user, obj.division_code)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=obj.pk)
        if expected_version is not None and current.version != int(expected_version):
            raise Conflict(
                f"保存被拒绝：该记录已被 {current.updated_by or '他人'} 于 "
                f"{current.updated_at:%Y-%m-%d %H:%M} 修改（当前版本 {current.version}，您编辑的是版本 {expected_version}）。"
                "请刷新后重新编辑。",
                code="version_conflict",
            )
        before = audit.snapshot(current)
        _assign(current, data)
        if "lon" in data or "coord_source" in data:
            _normalise_location(current)
        scope.check_can_write(model, user, current.division_code)
        _validate(current, derive)
        scope.check_can_write(model, user, current.division_code, current)
        current.version += 1
        current.updated_by = user
        _save(current)
        audit.record(user, "update", current, before=before, after=audit.snapshot(current), note=note)
    return current


def delete_record(user, obj: models.Model, *, expected_version: int | None = None, note: str = "") -> None:
    model = type(obj)
    scope.check_can_see(obj, user)
    scope.check_can_write(model, user, obj.division_code)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=obj.pk)
        if expected_version is not None and current.version != int(expected_version):
            raise Conflict("删除被拒绝：该记录已被他人修改，请刷新后重试", code="version_conflict")
        before = audit.snapshot(current)
        try:
            current.delete()
        except models.ProtectedError as exc:
            raise Conflict(f"不能删除“{current}”：仍有其他记录引用它") from exc
        current.pk = before.get("id", current.pk)
        audit.record(user, "delete", current, before=before, note=note)
