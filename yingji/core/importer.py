"""Spreadsheet import for every registry, driven by its ``Registry`` declaration.

* ``template_xlsx(registry)`` — a workbook with the Chinese headers of the registry's form
  fields (drop-down lists for choices) and a 填写说明 sheet.
* ``run_import(user, registry, content, filename)`` — reads .xlsx or .csv (UTF-8 or GB18030),
  converts each cell the way staff write it (choice labels, related records by name or code,
  是/否, Excel dates, division names, a 坐标系 column: WGS84 / CGCS2000 / GCJ02 / BD09), then
  writes every row through the registry's own ``create`` / ``update`` (so the normal scope
  check, validation, location check and audit apply) inside ONE transaction. Any error anywhere
  rolls everything back: all rows or none. Errors name the Excel row and column, in Chinese.

A 编号 column, when filled, updates that existing record (an export can be edited and
re-imported); left empty, the row is a new record. Columns the export adds for reading
(合成示例数据, 原始坐标系 next to 坐标系) are accepted and ignored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from dataclasses import dataclass, field
from typing import Callable, Iterable

from django import forms
from django.db import models, transaction
from openpyxl.utils import get_column_letter

from .cells import is_formula_like
from .errors import ServiceError, ValidationFailed
from .registry import REGISTRIES, Registry

ID_LABEL = "编号"
COORD_LABEL = "坐标系"
IGNORED_LABELS = {"合成示例数据"}
MAX_REPORTED_ERRORS = 500
PROGRESS_EVERY = 200
TRUE_WORDS = {"是", "true", "1", "y", "yes", "√", "有", "已"}
FALSE_WORDS = {"否", "false", "0", "n", "no", "×", "无", "未"}
COORD_SYSTEMS = {"WGS84": "WGS84", "CGCS2000": "CGCS2000", "GCJ02": "GCJ02", "BD09": "BD09",
                 "火星坐标": "GCJ02", "高德": "GCJ02", "腾讯": "GCJ02", "百度": "BD09", "天地图": "CGCS2000", "GPS": "WGS84"}


@dataclass
class Column:
    name: str
    label: str
    required: bool
    help: str
    choices: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RowError:
    row: int
    column: str
    header: str
    message: str

    def text(self) -> str:
        where = f"第{self.row}行" + (f" {self.column}列「{self.header}」" if self.column else "")
        return f"{where}：{self.message}"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "header": self.header, "message": self.message, "text": self.text()}


@dataclass
class ImportResult:
    registry: str
    total: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def summary(self) -> str:
        if not self.ok:
            return f"导入失败：共 {self.error_count} 处错误，未导入任何记录（全部成功才会导入）。请修改后重新上传。"
        verb = "校验通过，可以导入" if self.dry_run else "导入成功"
        return f"{verb}：共 {self.total} 行，新增 {self.created} 条，更新 {self.updated} 条。"

    def as_dict(self) -> dict:
        return {"registry": self.registry, "ok": self.ok, "dry_run": self.dry_run, "total": self.total,
                "created": self.created, "updated": self.updated, "error_count": self.error_count,
                "errors": [e.as_dict() for e in self.errors], "summary": self.summary()}


class _Rollback(Exception):
    pass


# ----------------------------------------------------------------------------- columns and template
def _form_fields(registry: Registry) -> dict[str, forms.Field]:
    return dict(registry.form_class().base_fields)


def _model_field(registry: Registry, name: str):
    return registry.model._meta.get_field(name)


def columns(registry: Registry) -> list[Column]:
    """The importable columns: 编号, then the registry's form fields (坐标系 for coord_source)."""
    cols = [Column("id", ID_LABEL, False, "留空为新增；填写已有记录的编号则更新该记录")]
    for name, ffield in _form_fields(registry).items():
        mfield = _model_field(registry, name)
        required = bool(ffield.required) and not mfield.has_default()
        if name == "coord_source":
            cols.append(Column(name, COORD_LABEL, False, "经纬度所用坐标系：WGS84（GPS/默认）、CGCS2000（天地图）、GCJ02（高德/腾讯）、BD09（百度），导入时统一换算为 WGS-84",
                               [(k, k) for k in ("WGS84", "CGCS2000", "GCJ02", "BD09")]))
            continue
        cols.append(Column(name, str(mfield.verbose_name), required, _help(name, ffield, mfield), _choices(ffield, mfield)))
    return cols


def _choices(ffield, mfield) -> list[tuple[str, str]]:
    if isinstance(ffield, forms.ModelChoiceField):
        return []
    if getattr(mfield, "choices", None):
        return [(str(v), str(label)) for v, label in mfield.choices if v != ""]
    if isinstance(mfield, models.BooleanField):
        return [("是", "是"), ("否", "否")]
    return []


def _help(name: str, ffield, mfield) -> str:
    if name == "division_code":
        return "行政区划代码（6 位县级或 9/12 位乡镇代码，如 210922）或区划名称（如 彰武县）"
    if isinstance(ffield, forms.ModelChoiceField):
        lookup = "、".join(str(ffield.queryset.model._meta.get_field(n).verbose_name)
                          for n in getattr(ffield.queryset.model, "import_lookup", ("name",)))
        return f"填写{ffield.queryset.model._meta.verbose_name}的{lookup}或编号"
    if getattr(mfield, "options", None):
        return f"可多选，用“、”分隔；可选：{'、'.join(mfield.options)}"
    if getattr(mfield, "choices", None):
        return "可选：" + "、".join(str(label) for v, label in mfield.choices if v != "")
    if isinstance(mfield, models.BooleanField):
        return "填“是”或“否”"
    if isinstance(mfield, models.DateTimeField):
        return "日期时间，如 2026-03-01 08:30（北京时间）"
    if isinstance(mfield, models.DateField):
        return "日期，如 2026-03-01"
    if name == "lon":
        return "经度（度，小数），如 121.670"
    if name == "lat":
        return "纬度（度，小数），如 42.020"
    if isinstance(mfield, (models.IntegerField, models.DecimalField, models.FloatField)):
        return "数字" + (f"；{mfield.help_text}" if mfield.help_text else "")
    return str(mfield.help_text or "文本")


def template_xlsx(registry: Registry) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    cols = columns(registry)
    wb = Workbook()
    data = wb.active
    data.title = "数据"
    options = wb.create_sheet("选项")
    for i, col in enumerate(cols, start=1):
        cell = data.cell(row=1, column=i, value=col.label)
        cell.font = Font(bold=True, color="C62828" if col.required else "000000")
        cell.fill = PatternFill("solid", fgColor="EEF2F7")
        data.column_dimensions[get_column_letter(i)].width = max(10, len(col.label) * 2 + 4)
        if col.choices:
            options.cell(row=1, column=i, value=col.label)
            for j, (_, label) in enumerate(col.choices, start=2):
                options.cell(row=j, column=i, value=label)
            letter = get_column_letter(i)
            rule = DataValidation(type="list", formula1=f"=选项!${letter}$2:${letter}${len(col.choices) + 1}",
                                  allow_blank=True, showErrorMessage=False)
            rule.add(f"{letter}2:{letter}10001")
            data.add_data_validation(rule)
    data.freeze_panes = "A2"
    options.sheet_state = "hidden"
    info = wb.create_sheet("填写说明")
    for line in _instructions(registry):
        info.append([line])
    info.append([])
    info.append(["列名", "是否必填", "填写要求"])
    for col in cols:
        info.append([col.label, "必填" if col.required else "选填", col.help])
    info.column_dimensions["A"].width = 22
    info.column_dimensions["C"].width = 90
    with tempfile.TemporaryFile() as fh:
        wb.save(fh)
        fh.seek(0)
        return fh.read()


def _instructions(registry: Registry) -> list[str]:
    return [
        f"{registry.label}导入模板",
        "1. 在“数据”工作表中每行填写一条记录，第一行为列名，请勿修改或删除；红色列名为必填。",
        "2. 选择类列可从下拉列表选择，也可填写选项文字；多选列用“、”分隔。",
        "3. 整个文件全部校验通过才会导入；任何一行有错，系统列出每处错误（第几行、哪一列、原因），且不导入任何记录。",
        "4. “编号”留空为新增；填写已有记录的编号则更新该记录（可将导出文件修改后重新导入）。",
        "5. 坐标：在“坐标系”列注明 WGS84、CGCS2000、GCJ02（高德/腾讯）或 BD09（百度），系统统一换算为 WGS-84；坐标须位于所属区划内。",
        "6. 只能导入本人管辖范围内的记录；导入操作记入审计日志。",
    ]


# ----------------------------------------------------------------------------- reading files
def read_table(content: bytes, filename: str) -> tuple[list[str], Iterable[tuple[int, list]]]:
    """Headers and (excel row number, values) of the first data sheet of an .xlsx or a .csv."""
    name = (filename or "").lower()
    if name.endswith(".csv"):
        return _read_csv(content)
    if name.endswith(".xls"):
        raise ValidationFailed("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后上传", fields={"file": ["格式不支持"]})
    return _read_xlsx(content)


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
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationFailed("无法读取该文件：请上传 .xlsx（Excel 2007 及以上）或 .csv 文件", fields={"file": ["无法读取"]}) from exc
    sheet = next((ws for ws in wb.worksheets if ws.title not in ("填写说明", "说明", "选项")), None)
    if sheet is None:
        raise ValidationFailed("文件中没有数据工作表", fields={"file": ["没有数据"]})
    rows = sheet.iter_rows(values_only=True)
    try:
        header = next(rows)
    except StopIteration:
        raise ValidationFailed("文件是空的", fields={"file": ["空文件"]}) from None
    headers = [str(h).strip() if h is not None else "" for h in header]
    return headers, ((i, list(r)) for i, r in enumerate(rows, start=2))


# ----------------------------------------------------------------------------- cell conversion
class CellError(Exception):
    pass


def _text(value) -> str:
    if value is None:
        return ""
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
        for lookup in getattr(model, "import_lookup", ("name",)):
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
            from yingji.regions.services import visible_divisions

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


# ----------------------------------------------------------------------------- the import
def _map_headers(registry: Registry, headers: list[str]) -> tuple[dict[int, Column], list[RowError]]:
    cols = columns(registry)
    by_label = {}
    for col in cols:
        by_label[col.label] = col
        by_label[col.name] = col
    by_label["原始坐标系"] = None  # an export's informational column; 坐标系 decides
    mapping, errors, seen = {}, [], {}
    for index, raw in enumerate(headers):
        label = raw.rstrip("*＊").strip()
        if not label or label in IGNORED_LABELS:
            continue
        letter = get_column_letter(index + 1)
        if label not in by_label:
            errors.append(RowError(1, letter, raw, f"未知列“{raw}”；可用列：{'、'.join(c.label for c in cols)}"))
            continue
        col = by_label[label]
        if col is None:
            continue
        if col.name in seen:
            errors.append(RowError(1, letter, raw, f"列“{col.label}”重复（已在 {seen[col.name]} 列）"))
            continue
        seen[col.name] = letter
        mapping[index] = col
    if "原始坐标系" in [h.strip() for h in headers] and "coord_source" not in seen:
        index = [h.strip() for h in headers].index("原始坐标系")
        mapping[index] = next(c for c in cols if c.name == "coord_source")
        seen["coord_source"] = get_column_letter(index + 1)
    missing = [c.label for c in cols if c.required and c.name not in seen]
    if missing:
        errors.append(RowError(1, "", "", f"缺少必填列：{'、'.join(missing)}（请使用本系统下载的模板）"))
    return mapping, errors


def _field_errors(registry: Registry, exc: ServiceError, letters: dict[str, tuple[str, str]], row: int) -> list[RowError]:
    """Place a service error on the row's cells. A service's own detailed message (scope, stock,
    location) is kept whole; form messages go to each field's column."""
    fields = {k: v for k, v in (exc.fields or {}).items() if v}
    if not fields:
        return [RowError(row, "", "", exc.message)]
    first = next(iter(fields))
    detailed = exc.code != "validation_failed" or (
        len(fields) == 1 and len(fields[first]) == 1 and not exc.message.endswith(str(fields[first][0])))
    if detailed:
        letter, header = letters.get(first, ("", ""))
        return [RowError(row, letter, header, exc.message)]
    errors = []
    for name, messages in fields.items():
        letter, header = letters.get(name, ("", ""))
        prefix = ""
        if not letter and name != "__all__":
            try:
                prefix = f"{registry.model._meta.get_field(name).verbose_name}："
            except Exception:  # noqa: BLE001 - unknown names are shown as they are
                prefix = f"{name}："
        errors.extend(RowError(row, letter, header, f"{prefix}{m}") for m in messages)
    return errors


def run_import(user, registry: Registry, content: bytes, filename: str, *, dry_run: bool = False,
               progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Import a spreadsheet into ``registry``: every row or none. Never raises for bad rows —
    the result lists them; raises ``ServiceError`` only when the file itself cannot be read or
    the user may not write this registry at all."""
    from yingji.audit import services as audit

    from . import scope

    scope.check_can_create(registry.model, user)
    result = ImportResult(registry=registry.key, dry_run=dry_run)
    headers, rows = read_table(content, filename)
    mapping, header_errors = _map_headers(registry, headers)
    if header_errors:
        result.errors, result.error_count = header_errors, len(header_errors)
        return result
    rows = [(n, values) for n, values in rows if any(_text(v) for v in values)]
    result.total = len(rows)
    if not rows:
        result.errors = [RowError(2, "", "", "文件中没有数据行")]
        result.error_count = 1
        return result
    letters = {col.name: (get_column_letter(i + 1), col.label) for i, col in mapping.items()}
    if "coord_source" in letters:
        letters.setdefault("lon", letters["coord_source"])
    converter = RowConverter(user, registry)

    def add(errors: list[RowError]) -> None:
        result.error_count += len(errors)
        room = MAX_REPORTED_ERRORS - len(result.errors)
        if room > 0:
            result.errors.extend(errors[:room])

    try:
        with transaction.atomic():
            for done, (row_number, values) in enumerate(rows, start=1):
                data, pk, cell_errors = _row_data(converter, mapping, values, row_number)
                if cell_errors:
                    add(cell_errors)
                else:
                    try:
                        with transaction.atomic():
                            if pk is None:
                                registry.create(user, data)
                                result.created += 1
                            else:
                                registry.update(user, registry.get(user, pk), data)
                                result.updated += 1
                    except ServiceError as exc:
                        add(_field_errors(registry, exc, letters, row_number))
                if progress and (done % PROGRESS_EVERY == 0 or done == len(rows)):
                    progress(done, len(rows))
            if result.error_count or dry_run:
                raise _Rollback
            audit.record(user, "import", None, model_label=registry.model._meta.label, division_code=user.region_code,
                         note=f"导入{registry.label}：新增 {result.created} 条，更新 {result.updated} 条（{filename}）")
    except _Rollback:
        if result.error_count:
            result.created = result.updated = 0
    return result


def _row_data(converter: RowConverter, mapping: dict[int, Column], values: list, row_number: int):
    data, errors, pk = {}, [], None
    for index, col in mapping.items():
        value = values[index] if index < len(values) else None
        text = _text(value)
        letter = get_column_letter(index + 1)
        if col.name == "id":
            if text:
                if not text.isdigit():
                    errors.append(RowError(row_number, letter, col.label, f"编号“{text}”应为整数"))
                else:
                    pk = int(text)
            continue
        if text == "" and col.name != "coord_source":
            if col.required:
                errors.append(RowError(row_number, letter, col.label, "必填，不能为空"))
            continue
        try:
            data[col.name] = converter.convert(col.name, value)
        except CellError as exc:
            errors.append(RowError(row_number, letter, col.label, str(exc)))
    return data, pk, errors
