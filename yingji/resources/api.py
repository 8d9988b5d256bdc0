"""API routes of the resources app beyond the generated registry routes: spreadsheet import for
every registry, current stock and its warnings, the one-map's near-here search and filters."""

from __future__ import annotations

from typing import Annotated, Optional

from django.http import HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from yingji.core.api_schemas import XLSX, ErrorInfo, RecordId, errors, file_download
from yingji.core import batches as imports
from yingji.core import importer
from yingji.core.registry import REGISTRIES

from . import nearby, stock

class ImportStatus(Schema):
    id: int
    registry: str
    filename: str
    status: str
    status_label: str
    dry_run: bool
    done: int
    total: int
    result: Optional[dict]


class RowErrorOut(Schema):
    row: int
    column: str
    header: str
    message: str
    text: str


class ImportErrorInfo(ErrorInfo):
    rows: list[RowErrorOut] = []


class ImportRejected(Schema):
    """The error shape, with every refused row and column in ``error.rows``."""

    error: ImportErrorInfo


class StockLineOut(Schema):
    warehouse_id: int
    warehouse: str
    material_id: int
    material: str
    unit: str
    quantity: str
    pending_disinfection: str
    available: str
    min_stock: str


class LowStockOut(StockLineOut):
    shortfall: str


class BatchLineOut(Schema):
    warehouse_id: int
    warehouse: str
    material_id: int
    material: str
    unit: str
    batch: str
    quantity: str
    expiry_date: Optional[str]


class NearbyItemOut(Schema):
    kind: str
    layer: str
    id: int
    name: str
    distance_m: float
    lon: float
    lat: float
    summary: str
    synthetic: bool
    url: str


class NearbyOut(Schema):
    lon: float
    lat: float
    radius_m: float
    count: int
    items: list[NearbyItemOut]


class MapFilterOut(Schema):
    field: str
    label: str
    choices: list[list[str]]


def _import_response(batch):
    data = imports.status_of(batch)
    result = batch.result or {}
    if batch.status in ("queued", "running"):
        return Status(202, data)
    if not result.get("ok"):
        return Status(400, {"error": {"code": "import_invalid", "message": result.get("summary", "导入失败"),
                                      "fields": {e["text"].split("：")[0]: [e["message"]] for e in result.get("errors", [])},
                                      "rows": result.get("errors", [])}})
    return Status(200, data)


def _add_import_routes(router: Router, key: str, label: str) -> None:
    op = key.replace("-", "_")

    @router.post(f"/{key}/import", operation_id=f"{op}_import", summary=f"导入{label}（.xlsx/.csv，全部成功或全部不导入）",
                 response={200: ImportStatus, 202: ImportStatus, 400: ImportRejected, **errors(403)})
    def do_import(request, file: UploadedFile = File(...), dry_run: bool = False, background: Optional[bool] = None):
        """Rows are validated and written in one transaction. 400 lists every error by row and
        column; 202 means the file is large and is imported in the background: poll
        ``/api/v1/imports/{id}``. ``dry_run=true`` only validates."""
        batch = imports.start_import(request.auth, key, file.read(), file.name or "", dry_run=dry_run, background=background)
        return _import_response(batch)

    @router.get(f"/{key}/import-template", operation_id=f"{op}_import_template", summary=f"{label}导入模板（.xlsx）",
                response={200: None}, openapi_extra=file_download(XLSX))
    def template(request):
        response = HttpResponse(importer.template_xlsx(REGISTRIES[key]), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{key}-template.xlsx"'
        return response


def mount(api) -> None:
    router = Router(tags=["导入"])
    for key, registry in list(REGISTRIES.items()):
        _add_import_routes(router, key, registry.label)

    @router.get("/imports/{int:batch_id}", response={200: ImportStatus, 202: ImportStatus, 400: ImportRejected},
                operation_id="import_status", summary="导入进度与结果")
    def import_status(request, batch_id: int):
        return _import_response(imports.batch_for(request.auth, batch_id))

    api.add_router("/", router)

    stock_router = Router(tags=["物资库存"])

    @stock_router.get("/current", operation_id="stock_current", summary="当前库存（由台账汇总）", response={200: list[StockLineOut]})
    def current(request, warehouse: Optional[RecordId] = None, material: Optional[RecordId] = None):
        return [line.as_dict() for line in stock.current_stock(warehouse, material, user=request.auth)]

    @stock_router.get("/low", operation_id="stock_low", summary="低于最低储备量", response={200: list[LowStockOut]})
    def low(request, warehouse: Optional[RecordId] = None):
        return [dict(line.as_dict(), shortfall=stock._fmt(line.shortfall)) for line in stock.low_stock(user=request.auth, warehouse=warehouse)]

    @stock_router.get("/expiring", operation_id="stock_expiring", summary="临期及过期批次", response={200: list[BatchLineOut]})
    def expiring(request, days: Annotated[int, Field(ge=0, le=stock.MAX_EXPIRY_DAYS)] = stock.NEAR_EXPIRY_DAYS,
                 warehouse: Optional[RecordId] = None):
        return [b.as_dict() for b in stock.near_expiry(days, user=request.auth, warehouse=warehouse)]

    api.add_router("/stock/", stock_router)

    map_router = Router(tags=["一张图"])

    @map_router.get("/nearby/", operation_id="nearby", summary="周边资源（直线距离，由近到远）", response={200: NearbyOut})
    def near(request, lon: float, lat: float, radius_m: float = 5000, kinds: str = ""):
        """``kinds``: comma-separated layer keys (teams, shelters, warehouses, ...); empty = all layers."""
        items = nearby.nearby(request.auth, lon, lat, radius_m, kinds or None)
        return {"lon": lon, "lat": lat, "radius_m": radius_m, "count": len(items), "items": items}

    @map_router.get("/map-filters/", operation_id="map_filters", summary="一张图图层的类型筛选项", response={200: dict[str, MapFilterOut]})
    def map_filters(request):
        out = {}
        for key, registry in nearby.map_layers().items():
            for name in registry.filter_fields:
                field = registry.model._meta.get_field(name)
                if field.choices:
                    out[key] = {"field": name, "label": str(field.verbose_name),
                                "choices": [[str(v), str(label)] for v, label in field.choices if v != ""]}
                    break
        return out

    api.add_router("/", map_router)
