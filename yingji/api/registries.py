"""CRUD routes generated from every declared registry (see yingji.core.registry)."""


from typing import Any, Optional

from django.db import models
from django.http import HttpResponse
from ninja import Router, Schema, Status
from ninja.orm import create_schema
from pydantic import ConfigDict, Field

from yingji.audit.services import history_of
from yingji.core.errors import NotFound
from yingji.core.pagination import paginate
from yingji.core.registry import REGISTRIES, Registry
from yingji.core.tabular import export_for

from yingji.core.api_schemas import XLSX, FeatureCollection, errors, file_download

META_FIELDS = ["id", "version", "division_code", "is_synthetic", "created_at", "updated_at"]


class HistoryOut(Schema):
    at: str
    action: str
    actor: str
    address: str
    changed_fields: list[str]
    before: Optional[dict]
    after: Optional[dict]


def _string_defaults(schema: dict) -> None:
    """A decimal is answered as a string, so its documented default is one too (a numeric default
    on a string field makes the OpenAPI document invalid)."""
    for prop in schema.get("properties", {}).values():
        if prop.get("type") == "string" and prop.get("default") is not None and not isinstance(prop["default"], str):
            prop["default"] = str(prop["default"])


class RecordOut(Schema):
    model_config = ConfigDict(json_schema_extra=_string_defaults)


def _json_fields(model, names: list[str], optional: bool) -> list[tuple]:
    """django-ninja documents every JSONField as an object; say what it holds (a list when its
    default is ``list``, an object when ``dict``, any JSON value otherwise)."""
    out = []
    for name in names:
        field = model._meta.get_field(name)
        if not isinstance(field, models.JSONField):
            continue
        kind = {list: list[Any], dict: dict[str, Any]}.get(field.default, Any)
        info = {"title": str(field.verbose_name), "description": str(field.help_text) or None}
        out.append((name, Optional[kind], Field(None, **info)) if optional else (name, kind, Field(**info)))
    return out


def _schemas(registry: Registry):
    name = registry.model.__name__
    model = registry.model
    out_fields = list(dict.fromkeys(META_FIELDS + registry.fields))
    out = create_schema(model, name=f"{name}Out", fields=out_fields, base_class=RecordOut,
                        custom_fields=_json_fields(model, out_fields, optional=False))
    payload = create_schema(model, name=f"{name}In", fields=registry.fields, optional_fields="__all__",
                            custom_fields=_json_fields(model, registry.fields, optional=True))
    payload = type(f"{name}Write", (payload,), {"__annotations__": {"version": Optional[int]}, "version": None})
    listing = type(f"{name}List", (Schema,), {"__annotations__": {"items": list[out], "count": int}})
    return out, payload, listing


def _input(registry: Registry, payload) -> dict:
    """The payload as form data (foreign keys as ``<name>_id`` are mapped by the registry)."""
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    return data


def _version(payload, request) -> int | None:
    if payload.version is not None:
        return payload.version
    header = request.headers.get("If-Match", "").strip('"')
    return int(header) if header.isdigit() else None


def build_router(registry: Registry) -> Router:
    out, payload_schema, listing = _schemas(registry)
    router = Router(tags=[registry.label])
    key = registry.key.replace("-", "_")

    @router.get("/", response=listing, operation_id=f"{key}_list", summary=f"{registry.label}列表")
    def list_records(request, q: str = "", division: str = "", ordering: str = "", page: int = 1, page_size: int = 50):
        """Filters: q (search), division (code prefix), ordering, and any declared filter field."""
        return paginate(request, registry.filtered(request.auth, request.GET))

    @router.get("/export", operation_id=f"{key}_export", summary=f"导出{registry.label}", response={200: None},
                openapi_extra=file_download(XLSX, "text/csv", "application/geo+json"))
    def export_records(request, format: str = "xlsx"):
        content, content_type, filename = export_for(request.auth, registry, request.GET, format)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @router.post("/", response={201: out, **errors(403, 409)}, operation_id=f"{key}_create", summary=f"新增{registry.label}")
    def create_record(request, payload: payload_schema):
        return Status(201, registry.create(request.auth, _input(registry, payload)))

    @router.get("/{int:pk}", response={200: out, **errors(403)}, operation_id=f"{key}_detail", summary=f"{registry.label}详情")
    def detail(request, pk: int):
        return registry.get(request.auth, pk)

    def _update(request, pk: int, payload):
        obj = registry.get(request.auth, pk)
        return registry.update(request.auth, obj, _input(registry, payload), expected_version=_version(payload, request))

    @router.patch("/{int:pk}", response={200: out, **errors(403, 409)}, operation_id=f"{key}_update", summary=f"修改{registry.label}")
    def update(request, pk: int, payload: payload_schema):
        """Send ``version`` (or an If-Match header) to have a stale edit refused with 409."""
        return _update(request, pk, payload)

    @router.put("/{int:pk}", response={200: out, **errors(403, 409)}, operation_id=f"{key}_replace", summary=f"修改{registry.label}")
    def replace(request, pk: int, payload: payload_schema):
        return _update(request, pk, payload)

    @router.delete("/{int:pk}", response={204: None, **errors(403, 409)}, operation_id=f"{key}_delete", summary=f"删除{registry.label}")
    def delete(request, pk: int, version: int | None = None):
        obj = registry.get(request.auth, pk)
        registry.delete(request.auth, obj, expected_version=version)
        return Status(204, None)

    @router.get("/{int:pk}/history", response={200: list[HistoryOut], **errors(403)}, operation_id=f"{key}_history", summary=f"{registry.label}变更历史")
    def history(request, pk: int):
        obj = registry.get(request.auth, pk)
        return [
            {"at": e.at.isoformat(), "action": e.action, "actor": e.actor_name, "address": e.address,
             "changed_fields": e.changed_fields, "before": e.before, "after": e.after}
            for e in history_of(obj)
        ]

    return router


def mount_all(api) -> None:
    for registry in REGISTRIES.values():
        api.add_router(f"/{registry.key}/", build_router(registry))
    api.add_router("/map/", build_map_router())


def build_map_router() -> Router:
    """Light point features for the one-map layers, filtered like the lists."""
    router = Router(tags=["一张图"])

    @router.get("/{key}/", operation_id="map_layer", summary="图层点位（GeoJSON）", response={200: FeatureCollection})
    def layer(request, key: str):
        registry = REGISTRIES.get(key)
        if registry is None or not registry.map_layer:
            raise NotFound(f"图层“{key}”不存在")
        objects = list(registry.filtered(request.auth, request.GET).filter(lon__isnull=False).iterator(chunk_size=2000))
        states = registry.map_states(objects) if registry.map_states else {}
        features = [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [obj.lon, obj.lat]},
             "properties": {"id": obj.pk, "name": str(obj), "synthetic": obj.is_synthetic,
                            "summary": registry.map_summary(obj) if registry.map_summary else "",
                            "division_code": obj.division_code, **states.get(obj.pk, {})}}
            for obj in objects
        ]
        return {"type": "FeatureCollection", "features": features}

    return router
