"""Reading an uploaded .xlsx or .csv (UTF-8 or GB18030) and turning each cell into the value the
registry's form accepts: choice labels, related records by name or code, 是/否, Excel dates,
division names, coordinate systems. See :mod:`yingji.core.importer`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Iterable
from zipfile import BadZipFile

from django import forms
from django.db import models
from python_calamine import CalamineError, CalamineWorkbook

from yingji.regions.services import visible_divisions

from .cells import is_formula_like
from .errors import ValidationFailed
from .import_columns import _form_fields, _model_field, lookup_fields
from .registry import REGISTRIES, Registry
from .upload_limits import check_spreadsheet, limited_rows

TRUE_WORDS = {"是", "true", "1", "y", "yes", "√", "有", "已"}
FALSE_WORDS = {"否", "false", "0", "n", "no", "×", "无", "未"}
COORD_SYSTEMS = {"WGS84": "WGS84", "CGCS2000": "CGCS2000", "GCJ02": "GCJ02", "BD09": "BD09",
                 "火星坐标": "GCJ02", "高德": "GCJ02", "腾讯": "GCJ02", "百度": "BD09", "天地图": "CGCS2000", "GPS": "WGS84"}



def read_table(content: bytes, filename: str) -> tuple[list[str], Iterable[tuple[int, list]]]:
    """Headers and (excel row number, values) of the first data sheet of an .xlsx or a .csv."""
    name = (filename or "").lower()
    if name.endswith(".xls"):
        raise ValidationFailed("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后上传", fields={"file": ["格式不支持"]})
    check_spreadsheet(content, filename)
    headers, rows = _read_csv(content) if name.endswith(".csv") else _read_xlsx(content)
    return headers, limited_rows(rows)


def _read_csv(content: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValidationFailed("无法识别 CSV 文件编码（支持 UTF-8 与 GBK/GB18030）")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ValidationFailed("文件是空的", fields={"file": ["空文件"]})
    return [str(h or "").strip() for h in rows[0]], ((i, r) for i, r in enumerate(rows[1:], start=2))


def _read_xlsx(content: bytes):
    """The first data sheet through calamine (a Rust reader: about 15× faster than openpyxl's
    read-only mode at 10,000 rows). Empty cells come as "" and numbers as floats; ``_text``
    turns whole numbers back into integers."""
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
        name = next((n for n in wb.sheet_names if n not in ("填写说明", "说明", "选项")), None)
        if name is None:
            raise ValidationFailed("文件中没有数据工作表", fields={"file": ["没有数据"]})
        table = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (CalamineError, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationFailed("无法读取该文件：请上传 .xlsx（Excel 2007 及以上）或 .csv 文件", fields={"file": ["无法读取"]}) from exc
    if not table:
        raise ValidationFailed("文件是空的", fields={"file": ["空文件"]})
    headers = [str(h).strip() if h is not None else "" for h in table[0]]
    return headers, ((i, list(r)) for i, r in enumerate(table[1:], start=2))


# ----------------------------------------------------------------------------- cell conversion
class CellError(Exception):
    pass


# Excel keeps 15 significant digits: a longer number typed into a cell (an ID card number) has
# already lost its last digits, so it is refused rather than imported wrong.
EXACT_DIGITS = 15


def blank(value) -> bool:
    """Whether a cell holds nothing (None, "" or spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 10 ** EXACT_DIGITS:
        raise CellError(f"数字“{value:.0f}”超过 {EXACT_DIGITS} 位，Excel 已丢失其末几位：请把该列设为“文本”格式后重新填写")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if text.startswith("'") and is_formula_like(text[1:]):
        return text[1:]  # our own CSV export's guard against formula injection (core.cells)
    return text


class RowConverter:
    """Turns spreadsheet cells into the values the registry's form accepts."""

    def __init__(self, user, registry: Registry):
        self.user = user
        self.registry = registry
        self.form_fields = _form_fields(registry)
        self._fk_cache: dict[tuple[str, str], object] = {}
        self._divisions = None

    def convert(self, name: str, value):
        text = _text(value)
        if name == "coord_source":
            return _coord_system(text)
        ffield = self.form_fields[name]
        mfield = _model_field(self.registry, name)
        if isinstance(ffield, forms.ModelChoiceField):
            return self._related(name, ffield, text)
        if name == "division_code":
            return self._division(text)
        if isinstance(mfield, models.BooleanField):
            low = text.lower()
            if low in TRUE_WORDS:
                return True
            if low in FALSE_WORDS:
                return False
            raise CellError(f"“{text}”无法识别，请填“是”或“否”")
        if getattr(mfield, "choices", None):
            for v, label in mfield.choices:
                if text in (str(v), str(label)):
                    return v
            raise CellError(f"“{text}”不是可选值；可选：{'、'.join(str(label) for v, label in mfield.choices if v != '')}")
        if isinstance(mfield, models.DateTimeField) and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return f"{value.isoformat()} 00:00"
        if isinstance(mfield, models.DateField) and not isinstance(mfield, models.DateTimeField) and isinstance(value, dt.datetime):
            return value.date().isoformat()
        return text

    def _related(self, name: str, ffield, text: str):
        key = (name, text)
        if key in self._fk_cache:
            return self._fk_cache[key]
        model = ffield.queryset.model
        registry = next((r for r in REGISTRIES.values() if r.model is model), None)
        qs = registry.queryset(self.user) if registry is not None else ffield.queryset
        matches = []
        if text.isdigit():
            matches = list(qs.filter(pk=int(text))[:2])
        for lookup in lookup_fields(model):
            if matches:
                break
            matches = list(qs.filter(**{lookup: text})[:2])
        if not matches:
            what = _model_field(self.registry, name).verbose_name
            raise CellError(f"找不到{what}“{text}”（或不在您的管辖范围内），请填写{model._meta.verbose_name}中已有的名称、编码或编号")
        if len(matches) > 1:
            raise CellError(f"“{text}”对应多条{model._meta.verbose_name}，请改填编号")
        self._fk_cache[key] = matches[0].pk
        return matches[0].pk

    def _division(self, text: str) -> str:
        if text.isdigit():
            return text
        if self._divisions is None:
            self._divisions = {}
            for code, name in visible_divisions(self.user).values_list("code", "name"):
                self._divisions.setdefault(name, []).append(code)
        codes = self._divisions.get(text, [])
        if len(codes) == 1:
            return codes[0]
        if len(codes) > 1:
            raise CellError(f"区划名称“{text}”不唯一，请填写区划代码")
        raise CellError(f"“{text}”不是您管辖范围内的行政区划名称或代码")


def _coord_system(text: str) -> str:
    if not text:
        return "WGS84"
    key = text.split("（")[0].split("(")[0].strip().upper().replace("-", "").replace("_", "").replace(" ", "")
    system = COORD_SYSTEMS.get(key) or COORD_SYSTEMS.get(text.strip())
    if system is None:
        raise CellError(f"坐标系“{text}”无法识别；可选：WGS84、CGCS2000、GCJ02（高德/腾讯）、BD09（百度）")
    return system
