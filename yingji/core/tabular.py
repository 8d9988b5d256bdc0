"""Exports of exactly what a user's scope and filter show: .xlsx, .csv and GeoJSON."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from functools import partialmethod

import xlsxwriter
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone
from django.utils.encoding import force_str

from .cells import csv_value
from .errors import ValidationFailed
from .records import log_event
from .registry import Registry, display_of, display_value
from .xlsx_rows import RowWriter

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


def _getter(registry: Registry, name: str):
    """How one export column reads a record, decided once per export instead of per cell: the
    same values :func:`display_value` gives, with numbers kept as numbers."""
    if name == "__coord":
        return lambda obj: "WGS84"
    if name == "id":
        return lambda obj: obj.pk
    if name == "division_code":
        return lambda obj: _short_code(obj.division_code)
    field = registry.model._meta.get_field(name)
    if getattr(field, "choices", None):
        if not _django_display(registry.model, name):
            return lambda obj: display_value(obj, name)  # the model says how it reads
        choice = _choice_label(field)
        attname = field.attname
        return lambda obj: choice(getattr(obj, attname))

    def plain(obj):
        raw = getattr(obj, name, None)
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return raw
        return display_value(obj, name)
    return plain


def _short_code(code: str) -> str:
    return code[:6] if code.endswith("000000") else code


def _choice_label(field):
    """Django's get_<name>_display for a stored value, without rebuilding the dict per cell."""
    labels = {value: force_str(label, strings_only=True) for value, label in field.flatchoices}

    def choice(value):
        shown = labels.get(value, value)
        return "" if shown is None else shown
    return choice


def _django_display(model, name: str) -> bool:
    """Whether ``get_<name>_display`` is the one Django adds for a field with choices (not a
    model's own)."""
    attr = f"get_{name}_display"
    for klass in model.__mro__:
        if attr in klass.__dict__:
            return isinstance(klass.__dict__[attr], partialmethod)
    return False


def _row_reader(registry: Registry, columns):
    getters = [_getter(registry, name) for name, _ in columns]
    return lambda obj: [get(obj) for get in getters]


def _value_getter(registry: Registry, name: str):
    """``(field, how its stored value reads)`` for a column that reads the same from the row's
    values as from the record (:func:`_getter`), or None when the column needs the record: a
    relation, a model's own ``get_<name>_display``, a field with its own attribute descriptor."""
    if name == "__coord":
        return "pk", lambda value: "WGS84"
    if name == "id":
        return "pk", lambda value: value
    if name == "division_code":
        return "division_code", _short_code
    model = registry.model
    field = model._meta.get_field(name)
    if field.is_relation or not field.concrete or field.descriptor_class is not DeferredAttribute:
        return None
    if getattr(field, "choices", None):
        return (field.attname, _choice_label(field)) if _django_display(model, name) else None
    if hasattr(model, f"get_{name}_display"):
        return None

    def plain(value):
        if value.__class__ is str or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            return value
        return display_of(value, name)
    return field.attname, plain


def _rows(registry: Registry, queryset, columns, progress):
    """Each row of the export as a list of plain values (str, int, float; None or "" for empty),
    read from the rows' values when every column allows it (no model instances), else from the
    records."""
    readers = [_value_getter(registry, name) for name, _ in columns]
    if all(readers):
        fields = [f for f, _ in readers]
        wanted = list(dict.fromkeys(fields))
        pairs = [(wanted.index(f), get) for f, get in readers]
        for values in _each(queryset.values_list(*wanted), progress):
            yield [get(values[i]) for i, get in pairs]
        return
    read = _row_reader(registry, columns)
    for obj in _each(queryset, progress):
        yield read(obj)


def export_xlsx(registry: Registry, queryset, progress=None) -> bytes:
    """Streamed with XlsxWriter (constant memory: one row at a time on disk), each data row written
    as one XML string (core.xlsx_rows). Text is always written as text: formulas, URLs and
    numbers-in-text are never interpreted, and formula-like text carries Excel's quote prefix so it
    is shown, not evaluated (core.cells)."""
    columns = _export_columns(registry)
    with tempfile.TemporaryFile() as fh:
        wb = xlsxwriter.Workbook(fh, {"constant_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "strings_to_numbers": False,
                                      "tmpdir": tempfile.gettempdir()})
        bold, quoted = wb.add_format({"bold": True}), wb.add_format({"quote_prefix": True})
        ws = wb.add_worksheet(registry.label[:30])
        ws.write_row(0, 0, [label for _, label in columns], bold)
        rows = RowWriter(ws, quoted, len(columns), first_row=1)
        for values in _rows(registry, queryset, columns, progress):
            rows.write(values)
        info = wb.add_worksheet("说明")
        for r, line in enumerate([f"{registry.label}导出", f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}（北京时间）",
                                  "坐标：WGS-84 经纬度", "“合成示例数据”为“是”的记录为演示用合成数据，不代表真实设施。"]):
            info.write_string(r, 0, line)
        wb.close()
        fh.seek(0)
        return fh.read()


def export_csv(registry: Registry, queryset, progress=None) -> bytes:
    columns = _export_columns(registry)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([label for _, label in columns])
    for values in _rows(registry, queryset, columns, progress):
        writer.writerow([csv_value(v) for v in values])
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
