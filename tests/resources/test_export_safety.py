"""Exports cannot carry a formula into a spreadsheet (OWASP CSV injection), and a control
character typed into one record does not break the export of every record (issue 13, 1 and 7)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from tests.conftest import ZHANGWU, ZHANGWU_POINT

pytestmark = pytest.mark.django_db

HOSTILE = ["=HYPERLINK(\"http://evil.example/\",\"点此\")", "+1+1", "-2+3", "@SUM(1,2)", "\tcmd", "\rcmd"]


@pytest.fixture
def hostile_teams(db):
    from yingji.resources.models import RescueTeam

    teams = []
    for i, name in enumerate(HOSTILE):
        teams.append(RescueTeam.objects.create(
            name=name, category="professional", specialties="危化", level="county", headcount=10 + i,
            leader="张三\x07\x1b", leader_phone="13900001111", duty_phone="0418-2800000",
            division_code=ZHANGWU, lon=ZHANGWU_POINT[0], lat=ZHANGWU_POINT[1]))
    return teams


def _export(fmt):
    from yingji.core.registry import REGISTRIES
    from yingji.core.tabular import export
    from yingji.resources.models import RescueTeam

    content, _, _ = export(REGISTRIES["teams"], RescueTeam.objects.order_by("pk"), fmt)
    return content


def test_xlsx_writes_formula_like_text_as_text(hostile_teams):
    ws = load_workbook(io.BytesIO(_export("xlsx"))).worksheets[0]
    headers = [c.value for c in ws[1]]
    name_col, leader_col = headers.index("队伍名称") + 1, headers.index("负责人") + 1
    names = [ws.cell(row=r, column=name_col) for r in range(2, 2 + len(HOSTILE))]
    # What staff typed, shown unchanged (read as Excel and our importer read it: openpyxl leaves
    # the standard _x000D_ escape of a carriage return undecoded)...
    table = CalamineWorkbook.from_filelike(io.BytesIO(_export("xlsx"))).get_sheet_by_index(0).to_python()
    assert [row[name_col - 1] for row in table[1:1 + len(HOSTILE)]] == HOSTILE
    assert all(c.data_type == "s" and c.quotePrefix for c in names)  # ...but never evaluated
    # The control characters are dropped instead of making the whole workbook unwritable.
    assert ws.cell(row=2, column=leader_col).value == "张三"


def test_xlsx_text_that_looks_like_cell_markup_stays_one_text_cell(db):
    """XlsxWriter writes a constant-memory string that starts with <r> and ends with </r> as raw XML
    (rich text): typed into a record, such text could add cells — a formula among them — to the export."""
    from yingji.resources.models import RescueTeam

    markup = ('<r><t>a</t></r></is></c><c r="Z2"><f>HYPERLINK("http://evil.example/","点此")</f><v>0</v></c>'
              '<c r="Y2" t="inlineStr"><is><r><t>b</t></r>')
    RescueTeam.objects.create(name="甲队", category="professional", level="county", headcount=10, leader="张三",
                              leader_phone="13900001111", duty_phone="0418-2800000", equipment=markup,
                              division_code=ZHANGWU, lon=ZHANGWU_POINT[0], lat=ZHANGWU_POINT[1])
    ws = load_workbook(io.BytesIO(_export("xlsx"))).worksheets[0]
    headers = [c.value for c in ws[1]]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value is not None]
    assert ws.cell(row=2, column=headers.index("携带装备") + 1).value == markup
    assert ws.max_column == len(headers) and all(c.data_type != "f" for c in cells)


def test_csv_prefixes_formula_like_text_with_an_apostrophe(hostile_teams):
    rows = list(csv.reader(io.StringIO(_export("csv").decode("utf-8-sig"), newline="")))
    name_col = rows[0].index("队伍名称")
    assert [r[name_col] for r in rows[1:]] == ["'" + name for name in HOSTILE]


def test_csv_export_reimports_to_the_same_names(hostile_teams, make_user):
    from yingji.core.importer import run_import
    from yingji.core.registry import REGISTRIES
    from yingji.resources.models import RescueTeam

    admin = make_user("zw_admin", "county_admin", ZHANGWU)
    result = run_import(admin, REGISTRIES["teams"], _export("csv"), "teams.csv")
    assert result.ok, [e.text() for e in result.errors]
    # (the importer trims leading/trailing blanks, as for every imported cell)
    assert sorted(RescueTeam.objects.values_list("name", flat=True)) == sorted(n.strip() for n in HOSTILE)
    assert (result.created, result.updated) == (0, len(HOSTILE))


def test_hazard_statistics_workbook_protects_cells():
    from openpyxl import Workbook

    from yingji.core.cells import append_protected

    ws = Workbook().active
    append_protected(ws, ["=1+1", "普通\x01文本", 5])
    assert ws["A1"].data_type == "s" and ws["A1"].quotePrefix and ws["A1"].value == "=1+1"
    assert ws["B1"].value == "普通文本" and ws["C1"].value == 5


def test_numbers_are_shown_as_a_bureau_writes_them(make_user):
    """No 157.500000 on the pages: at most 3 decimals (6 for coordinates), no trailing zeros (issue 14)."""
    from decimal import Decimal

    from yingji.core.registry import display_value, format_number
    from yingji.resources.models import Warehouse

    wh = Warehouse.objects.create(code="ZW-9", name="彰武测试库", level="county", area_m2=Decimal("500.50"), manager="甲",
                                  manager_phone="13900000001", division_code=ZHANGWU, lon=122.431, lat=42.488)
    assert display_value(wh, "area_m2") == "500.5"
    assert display_value(wh, "lon") == "122.431"
    assert format_number(157.5) == "157.5" and format_number(0.1 + 0.2) == "0.3" and format_number(10) == "10"
