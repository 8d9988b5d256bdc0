"""The columns a registry's spreadsheet import accepts, and the template workbook staff fill in
(Chinese headers, drop-down lists for choices, a 填写说明 sheet). See :mod:`yingji.core.importer`."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field

from django import forms
from django.db import models
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .registry import Registry

ID_LABEL = "编号"
COORD_LABEL = "坐标系"


@dataclass
class Column:
    name: str
    label: str
    required: bool
    help: str
    choices: list[tuple[str, str]] = field(default_factory=list)
    literal: bool = False  # the help shows syntax typed as it is (a JSON field's shape): set as code




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
        cols.append(Column(name, str(mfield.verbose_name), required, _help(name, ffield, mfield), _choices(ffield, mfield),
                           literal=isinstance(mfield, models.JSONField)))
    return cols


def _choices(ffield, mfield) -> list[tuple[str, str]]:
    if isinstance(ffield, forms.ModelChoiceField):
        return []
    if getattr(mfield, "choices", None):
        return [(str(v), str(label)) for v, label in mfield.choices if v != ""]
    if isinstance(mfield, models.BooleanField):
        return [("是", "是"), ("否", "否")]
    return []


def lookup_fields(model) -> tuple[str, ...]:
    """The fields a spreadsheet may name a related record by: the model's ``import_lookup``, else
    its name or title when it has one; a record without either is named by its number only."""
    declared = getattr(model, "import_lookup", None)
    if declared:
        return tuple(declared)
    fields = {f.name for f in model._meta.concrete_fields}
    return tuple(n for n in ("name", "title") if n in fields)[:1]


def _help(name: str, ffield, mfield) -> str:
    if name == "division_code":
        return "行政区划代码（6 位县级或 9/12 位乡镇代码，如 210922）或区划名称（如 彰武县）"
    if isinstance(ffield, forms.ModelChoiceField):
        model = ffield.queryset.model
        lookup = "、".join(str(model._meta.get_field(n).verbose_name) for n in lookup_fields(model))
        return f"填写{model._meta.verbose_name}的{lookup}或编号" if lookup else f"填写{model._meta.verbose_name}的编号"
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
