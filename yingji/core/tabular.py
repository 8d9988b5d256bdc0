"""Exports of exactly what a user's scope and filter show: .xlsx, .csv and GeoJSON."""

from __future__ import annotations

import csv
import io
import json
import tempfile

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .cells import csv_value, xlsx_row
from .errors import ValidationFailed
from .records import log_event
from .registry import Registry, display_value

EXPORT_FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
}


def _export_columns(registry: Registry) -> list[tuple[str, str]]:
    names = ["id", *registry.fields]
    if "division_code" not in names:
        names.append("division_code")
    cols = []
    for n in names:
        label = "编号" if n == "id" else str(registry.model._meta.get_field(n).verbose_name)
        cols.append((n, label))
    if "lon" in registry.fields:
        cols.append(("__coord", "坐标系"))
    cols.append(("is_synthetic", "合成示例数据"))
    return cols


PROGRESS_EVERY = 1000  # rows between progress reports of a background export (core.exports)


def _each(queryset, progress):
    """The queryset's rows, streamed; ``progress(done)`` every PROGRESS_EVERY rows."""
    for done, obj in enumerate(queryset.iterator(chunk_size=2000), start=1):
        yield obj
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)


def _row(obj, columns) -> list:
    row = []
    for name, _ in columns:
        if name == "__coord":
            row.append("WGS84")
        elif name == "division_code":
            row.append(obj.division_code[:6] if obj.division_code.endswith("000000") else obj.division_code)
        elif name == "id":
            row.append(obj.pk)
        else:
            value = display_value(obj, name)
            raw = getattr(obj, name, None)
            numeric = isinstance(raw, (int, float)) and not isinstance(raw, bool)
            has_choices = bool(getattr(obj._meta.get_field(name), "choices", None))
            row.append(raw if numeric and not has_choices else value)
    return row


def export_xlsx(registry: Registry, queryset, progress=None) -> bytes:
    columns = _export_columns(registry)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(registry.label[:30])
    header = []
    for _, label in columns:
        cell = WriteOnlyCell(ws, value=label)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for obj in _each(queryset, progress):
        ws.append(xlsx_row(ws, _row(obj, columns)))
    info = wb.create_sheet("说明")
    info.append([f"{registry.label}导出"])
    info.append([f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}（北京时间）"])
    info.append(["坐标：WGS-84 经纬度"])
    info.append(["“合成示例数据”为“是”的记录为演示用合成数据，不代表真实设施。"])
    with tempfile.TemporaryFile() as fh:
        wb.save(fh)
        fh.seek(0)
        return fh.read()


def export_csv(registry: Registry, queryset, progress=None) -> bytes:
    columns = _export_columns(registry)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([label for _, label in columns])
    for obj in _each(queryset, progress):
        writer.writerow([csv_value(v) for v in _row(obj, columns)])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM so that Excel opens it as UTF-8


def export_geojson(registry: Registry, queryset, progress=None) -> bytes:
    features = []
    for obj in _each(queryset, progress):
        lon, lat = getattr(obj, "lon", None), getattr(obj, "lat", None)
        props = {"id": obj.pk, "registry": registry.key}
        for name in registry.fields:
            props[name] = display_value(obj, name)  # JSON: no formulas to neutralise
        props["division_code"] = obj.division_code
        props["is_synthetic"] = obj.is_synthetic
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]} if lon is not None else None,
            "properties": props,
        })
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode("utf-8")


EXPORTERS = {"xlsx": export_xlsx, "csv": export_csv, "geojson": export_geojson}


def check_format(fmt: str) -> None:
    if fmt not in EXPORTERS:
        raise ValidationFailed(f"不支持的导出格式“{fmt}”，可选 xlsx、csv、geojson", fields={"format": ["不支持"]})


def export(registry: Registry, queryset, fmt: str, progress=None) -> tuple[bytes, str, str]:
    check_format(fmt)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{registry.key}-{stamp}.{fmt}"
    return EXPORTERS[fmt](registry, queryset, progress=progress), EXPORT_FORMATS[fmt], filename


def export_for(user, registry: Registry, params, fmt: str) -> tuple[bytes, str, str]:
    """Export the user's filtered view of a registry, and audit that it was exported."""
    queryset = registry.filtered(user, params)
    content, content_type, filename = export(registry, queryset, fmt)
    log_event(user, "export", None, model_label=registry.model._meta.label,
              note=f"导出{registry.label} {queryset.count()} 条（{fmt}）", division_code=user.region_code)
    return content, content_type, filename
