"""The fast .xlsx export (issue 20) writes the file XlsxWriter's own cell calls wrote, and reads the
same rows from the database's values as from the records."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from decimal import Decimal

import pytest
import xlsxwriter

from tests.conftest import HAIZHOU, HAIZHOU_POINT, ZHANGWU, ZHANGWU_POINT

TRICKY = [
    "普通文本", "  leading", "trailing ", "a&b<c>d\"e'", "_x0041_ and _X00ff_", "x_y", "\rcmd", "\tcmd", "=1+1", "+1",
    "-2", "@SUM(1)", "line\nbreak", "tab\tinside", "\ufffe\uffff", "\u3000全角空格", "\xa0nbsp", "ctrl\x07char\x1b",
    "\x1c\x1dfile separators", "😀 emoji", "中" * 16_383, "中" * 16_384, "x" * 40_000, "😀" * 16_384 + "x",
    0, -1, 1.5, 1e20, -0.1 + 0.3, 12_345_678_901_234_567_890, 2 ** 53 + 1, True, False, None, "", Decimal("1.50"),
]


def _workbook(fh):
    wb = xlsxwriter.Workbook(fh, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                  "strings_to_numbers": False})
    bold, quoted = wb.add_format({"bold": True}), wb.add_format({"quote_prefix": True})
    ws = wb.add_worksheet("表")
    ws.write_row(0, 0, ["甲", "乙", "丙"], bold)
    return wb, ws, quoted


def _by_xlsxwriter(rows) -> dict:
    """What the export wrote with XlsxWriter's cell calls, one per cell (before issue 20)."""
    from yingji.core.cells import is_formula_like, xlsx_value

    buf = io.BytesIO()
    wb, ws, quoted = _workbook(buf)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                value = xlsx_value(value)
                ws.write_string(r, c, value, quoted if is_formula_like(value) else None)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, (int, float)):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, xlsx_value(str(value)))
    wb.close()
    return _parts(buf)


def _by_row_writer(rows) -> dict:
    from yingji.core.xlsx_rows import RowWriter

    buf = io.BytesIO()
    wb, ws, quoted = _workbook(buf)
    writer = RowWriter(ws, quoted, 3, first_row=1)
    for row in rows:
        writer.write(row)
    wb.close()
    return _parts(buf)


def _parts(buf) -> dict:
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        return {name: z.read(name) for name in z.namelist() if name != "docProps/core.xml"}  # (a timestamp)


def test_rows_are_written_as_xlsxwriter_writes_them(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    rows = [[f"第{i}行", value, "尾"] for i, value in enumerate(TRICKY)]
    rows += [[None, None, None], ["", 7, None], [None, "只有中间", None], ["=A1", "@", "-"]]
    ours, theirs = _by_row_writer(rows), _by_xlsxwriter(rows)
    assert ours.keys() == theirs.keys()
    assert ours["xl/worksheets/sheet1.xml"] == theirs["xl/worksheets/sheet1.xml"]  # cells, quote prefixes, dimension
    assert ours == theirs  # styles included
    assert list(tmp_path.iterdir()) == []  # XlsxWriter's row-data file is gone


def test_only_rows_of_empty_values_and_no_quoted_text_still_make_a_workbook():
    ours, theirs = _by_row_writer([[None, "", None], ["a", 1, 2.5]]), _by_xlsxwriter([[None, "", None], ["a", 1, 2.5]])
    assert ours == theirs


def test_values_that_are_not_numbers_or_text_are_written_as_text():
    from python_calamine import CalamineWorkbook

    from yingji.core.xlsx_rows import RowWriter

    buf = io.BytesIO()
    wb, ws, quoted = _workbook(buf)
    writer = RowWriter(ws, quoted, 3, first_row=1)
    writer.write([float("nan"), float("inf"), dt.date(2026, 12, 4)])
    writer.write(["控制\x01", "\x01", "=\x02危险"])
    wb.close()
    table = CalamineWorkbook.from_filelike(io.BytesIO(buf.getvalue())).get_sheet_by_index(0).to_python()
    assert table[1:] == [["nan", "inf", "2026-12-04"], ["控制", "", "=危险"]]


@pytest.fixture
def varied_records(db):
    """Records of registries read from values, with every kind of field they export: text, choices,
    multi-labels, integers, floats, decimals, dates, times, booleans, empty values."""
    from yingji.enforcement.models import Inspector
    from yingji.resources.models import RescueTeam, Warehouse
    from yingji.social.models import SocialForce

    RescueTeam.objects.create(name="=甲队", category="professional", specialties="危化、水域", level="county", headcount=12,
                              leader="张三", leader_phone="13900001111", duty_phone="0418-2800000",
                              equipment="  泵\n绳索 ", division_code=ZHANGWU, lon=ZHANGWU_POINT[0], lat=ZHANGWU_POINT[1])
    RescueTeam.objects.create(name="乙队", category="military", level="city", headcount=300, leader="李四",
                              leader_phone="13900002222", duty_phone="0418-2800001", readiness="on_mission",
                              division_code=HAIZHOU, is_synthetic=True)
    Warehouse.objects.create(code="ZW-01", name="储备库", level="county", area_m2=Decimal("800.50"), manager="甲",
                             manager_phone="13900000001", division_code=ZHANGWU, lon=ZHANGWU_POINT[0], lat=ZHANGWU_POINT[1])
    Warehouse.objects.create(code="HZ-01", name="库二", level="township", area_m2=Decimal("0.125"), manager="乙",
                             manager_phone="13900000002", division_code="210902001000")
    Inspector.objects.create(name="赵", organisation="市应急管理局", certificate_number="2109-001",
                             valid_until=dt.date(2027, 3, 31), active=False, division_code=ZHANGWU)
    SocialForce.objects.create(name="蓝天救援队", uscc="91210900MA0000000X", specialties="水上搜救、潜水救援", leader="王五",
                               leader_phone="13900003333", duty_phone="13900003334", review_state="approved",
                               reviewed_at=dt.datetime(2026, 5, 1, 2, 30, tzinfo=dt.timezone.utc), division_code=ZHANGWU)
    SocialForce.objects.create(name="未审核队", uscc="91210900MA0000001X", specialties="山地搜救", leader="赵六",
                               leader_phone="13900004444", duty_phone="13900004445", division_code=HAIZHOU)


@pytest.mark.parametrize("key", ["teams", "warehouses", "inspectors", "social-forces"])
def test_rows_read_from_values_are_the_rows_read_from_records(varied_records, key, monkeypatch):
    from yingji.core import tabular
    from yingji.core.registry import REGISTRIES

    registry = REGISTRIES[key]
    columns = tabular._export_columns(registry)
    assert all(tabular._value_getter(registry, name) for name, _ in columns)  # this registry is read from values
    queryset = registry.model.objects.order_by("pk")
    from_values = list(tabular._rows(registry, queryset, columns, None))
    monkeypatch.setattr(tabular, "_value_getter", lambda registry, name: None)
    from_records = list(tabular._rows(registry, queryset, columns, None))
    assert len(from_values) >= 1 and from_values == from_records
    assert [type(v) for v in from_values[0]] == [type(v) for v in from_records[0]]


def test_registries_with_related_records_are_read_from_records(enterprises):
    from yingji.core import tabular
    from yingji.core.registry import REGISTRIES

    registry = REGISTRIES["risk-points"]
    assert tabular._value_getter(registry, "enterprise") is None
