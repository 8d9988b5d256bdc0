"""Spreadsheet import: template, conversions, row/column errors in Chinese, all or nothing,
scope, re-import of an export, background jobs with progress, and the API."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from tests.conftest import HAIZHOU_POINT, ZHANGWU_POINT
from yingji.core import importer
from yingji.core.registry import REGISTRIES
from yingji.resources.models import RescueTeam, Shelter, StockMovement
from yingji.resources.stock import stock_of

TEAM_HEADERS = ["队伍名称", "队伍类别", "专业领域", "队伍级别", "人数", "负责人", "负责人电话", "24小时值班电话", "所属行政区划",
                "经度", "纬度", "坐标系"]


def xlsx(headers, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def team_row(name, lon=ZHANGWU_POINT[0], lat=ZHANGWU_POINT[1], system="WGS84", **over):
    row = dict(zip(TEAM_HEADERS, [name, "专业", "水域、危化", "县级", 25, "张三", 13900001111, "0418-2800000", "彰武县", lon, lat, system]))
    row.update(over)
    return [row[h] for h in TEAM_HEADERS]


def run(user, key, content, filename="data.xlsx", **kw):
    return importer.run_import(user, REGISTRIES[key], content, filename, **kw)


def test_template_has_chinese_headers_dropdowns_and_instructions():
    wb = load_workbook(io.BytesIO(importer.template_xlsx(REGISTRIES["teams"])))
    assert wb.sheetnames == ["数据", "选项", "填写说明"]
    headers = [c.value for c in wb["数据"][1]]
    assert headers[:3] == ["编号", "队伍名称", "队伍类别"] and "坐标系" in headers and "原始坐标系" not in headers
    assert wb["数据"].data_validations.dataValidation, "choice columns offer a drop-down"
    notes = "\n".join(str(r[0].value) for r in wb["填写说明"].iter_rows() if r[0].value)
    assert "全部校验通过才会导入" in notes and "GCJ02" in notes
    assert wb["数据"]["B1"].font.color.rgb.endswith("C62828")  # 队伍名称 is required: red header


def test_valid_file_imports_every_row_with_coordinates_converted(zhangwu_admin):
    from yingji.geo.coords import wgs84_to_bd09, wgs84_to_gcj02

    gcj = wgs84_to_gcj02(*ZHANGWU_POINT)
    bd = wgs84_to_bd09(*ZHANGWU_POINT)
    content = xlsx(TEAM_HEADERS, [team_row("一队"), team_row("二队", *gcj, system="GCJ-02"), team_row("三队", *bd, system="百度")])
    result = run(zhangwu_admin, "teams", content)
    assert result.ok, [e.text() for e in result.errors]
    assert (result.created, result.updated) == (3, 0)
    for team in RescueTeam.objects.all():
        assert abs(team.lon - ZHANGWU_POINT[0]) < 1e-6 and abs(team.lat - ZHANGWU_POINT[1]) < 1e-6
        assert team.division_code == "210922000000" and team.specialties == "危化、水域" and team.leader_phone == "13900001111"
    assert sorted(RescueTeam.objects.values_list("coord_source", flat=True)) == ["BD09", "GCJ02", "WGS84"]


def test_broken_file_imports_nothing_and_names_every_row_and_column(zhangwu_admin):
    rows = [
        team_row("好队"),
        team_row("坏类别", **{"队伍类别": "雇佣兵"}),
        team_row("越界", lon=HAIZHOU_POINT[0], lat=HAIZHOU_POINT[1]),
        team_row("负人数", **{"人数": -3}),
        team_row("坏坐标系", system="火星"),
        team_row("", **{"负责人电话": "abc"}),
    ]
    result = run(zhangwu_admin, "teams", xlsx(TEAM_HEADERS, rows))
    assert not result.ok and RescueTeam.objects.count() == 0
    errors = {(e.row, e.column): e for e in result.errors}
    assert errors[(3, "B")].header == "队伍类别" and "不是可选值" in errors[(3, "B")].message
    assert "海州区" in errors[(4, "J")].message  # 经度 column: the point lies outside 彰武县
    assert (5, "E") in errors
    assert "坐标系“火星”无法识别" in errors[(6, "L")].message
    assert errors[(7, "A")].message == "必填，不能为空"
    assert all(e.row != 2 for e in result.errors)
    assert "第3行 B列「队伍类别」" in result.errors[0].text()
    assert result.summary().startswith("导入失败：共")


def test_wrong_headers_are_reported_before_any_row(zhangwu_admin):
    result = run(zhangwu_admin, "teams", xlsx(["队名", "人数"], [["x", 1]]))
    assert not result.ok and RescueTeam.objects.count() == 0
    texts = [e.text() for e in result.errors]
    assert any("未知列“队名”" in t for t in texts)
    assert any("缺少必填列" in t and "队伍名称" in t for t in texts)


def test_rows_outside_the_users_scope_are_refused(haizhou_admin):
    result = run(haizhou_admin, "teams", xlsx(TEAM_HEADERS, [team_row("彰武的队")]))
    assert not result.ok and RescueTeam.objects.count() == 0
    assert "彰武县" in result.errors[0].message and result.errors[0].header == "所属行政区划"


def test_readonly_user_cannot_import(make_user):
    from yingji.core.errors import Forbidden

    with pytest.raises(Forbidden, match=r"您的角色（只读）无权修改救援队伍"):
        run(make_user("v", "readonly"), "teams", xlsx(TEAM_HEADERS, [team_row("x")]))


def test_export_edit_reimport_updates_records(zhangwu_admin):
    from yingji.core.tabular import export

    run(zhangwu_admin, "teams", xlsx(TEAM_HEADERS, [team_row("一队"), team_row("二队")]))
    content, _, _ = export(REGISTRIES["teams"], RescueTeam.objects.order_by("pk"), "xlsx")
    wb = load_workbook(io.BytesIO(content))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=headers.index("人数") + 1, value=99)
    buf = io.BytesIO()
    wb.save(buf)
    result = run(zhangwu_admin, "teams", buf.getvalue())
    assert result.ok, [e.text() for e in result.errors]
    assert (result.created, result.updated) == (0, 2)
    assert RescueTeam.objects.order_by("pk").first().headcount == 99
    assert RescueTeam.objects.count() == 2


def test_csv_in_gbk_from_chinese_excel(zhangwu_admin):
    lines = [",".join(TEAM_HEADERS), ",".join(str(v) for v in team_row("CSV队"))]
    result = run(zhangwu_admin, "teams", "\r\n".join(lines).encode("gb18030"), "teams.csv")
    assert result.ok, [e.text() for e in result.errors]
    assert RescueTeam.objects.get().name == "CSV队"


MOVE_HEADERS = ["储备库", "物资", "业务类型", "数量", "批次号", "签字人（谁签字谁负责）", "调入库（调拨）"]


def test_stock_import_checks_stock_row_by_row_all_or_nothing(zhangwu_admin, warehouses, materials):
    zw, zw2, _ = warehouses
    good = [["彰武测试储备库", "ZP-001", "入库", 50, "B1", "甲", None],
            ["ZW-01", "单帐篷", "出库", 20, "", "乙", None],
            ["彰武测试储备库", "单帐篷", "调拨", 10, "", "丙", "彰武测试二号库"]]
    result = run(zhangwu_admin, "stock-movements", xlsx(MOVE_HEADERS, good))
    assert result.ok, [e.text() for e in result.errors]
    assert stock_of(zw, materials[0]).quantity == 20 and stock_of(zw2, materials[0]).quantity == 10
    before = StockMovement.objects.count()
    bad = [["彰武测试储备库", "单帐篷", "入库", 5, "", "甲", None],     # fine on its own
           ["彰武测试储备库", "单帐篷", "出库", 26, "", "乙", None],    # 20 + 5 in stock: too much
           ["彰武测试储备库", "救生艇", "入库", 5, "", "甲", None],     # unknown material
           ["彰武测试储备库", "单帐篷", "入库", -5, "", "甲", None],    # negative
           ["彰武测试储备库", "单帐篷", "报废", 1, "", "", None]]       # no signer
    result = run(zhangwu_admin, "stock-movements", xlsx(MOVE_HEADERS, bad))
    assert not result.ok
    assert StockMovement.objects.count() == before and stock_of(zw, materials[0]).quantity == 20
    by_row = {e.row: e for e in result.errors}
    assert set(by_row) == {3, 4, 5, 6}
    assert "可用库存 25" in by_row[3].message and by_row[3].header == "数量"
    assert "找不到物资“救生艇”" in by_row[4].message and by_row[4].column == "B"
    assert by_row[5].header == "数量"
    assert by_row[6].header == "签字人（谁签字谁负责）"


def test_dry_run_validates_without_writing(zhangwu_admin):
    result = run(zhangwu_admin, "teams", xlsx(TEAM_HEADERS, [team_row("一队")]), dry_run=True)
    assert result.ok and result.created == 1 and RescueTeam.objects.count() == 0
    assert result.summary().startswith("校验通过")


def test_web_upload_small_file_and_see_errors(zhangwu_admin):
    web = Client()
    web.force_login(zhangwu_admin)
    page = web.get("/resources/import/teams/")
    assert page.status_code == 200 and "下载导入模板" in page.content.decode()
    template = web.get("/resources/import/teams/template.xlsx")
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = io.BytesIO(xlsx(TEAM_HEADERS, [team_row("网页队"), team_row("坏", **{"队伍级别": "省级"})]))
    upload.name = "teams.xlsx"
    response = web.post("/resources/import/teams/", {"file": upload}, follow=True)
    body = response.content.decode()
    assert "未导入任何记录" in body and "第 3 行" in body and "队伍级别" in body
    assert RescueTeam.objects.count() == 0


def test_large_file_is_imported_in_the_background_with_progress(zhangwu_admin, settings, tmp_path):
    from yingji.jobs.services import run_pending
    from yingji.core import batches as imports

    settings.DATA_DIR = tmp_path
    rows = [team_row(f"队{i:04d}") for i in range(450)]
    batch = imports.start_import(zhangwu_admin, "teams", xlsx(TEAM_HEADERS, rows), "big.xlsx", background=True)
    assert batch.status == "queued" and imports.status_of(batch)["done"] == 0
    seen = []
    original = imports._write_progress

    def spy(batch_id, done, total):
        original(batch_id, done, total)
        seen.append(imports.status_of(imports.ImportBatch.objects.get(pk=batch_id))["done"])

    imports._write_progress = spy
    try:
        assert run_pending() == 1
    finally:
        imports._write_progress = original
    assert seen == [200, 400, 450]
    batch.refresh_from_db()
    assert batch.status == "done" and batch.result["created"] == 450 and batch.content in (b"", memoryview(b""))
    assert RescueTeam.objects.count() == 450
    web = Client()
    web.force_login(zhangwu_admin)
    status = web.get(f"/resources/import/batch/{batch.pk}/status").json()
    assert status["status"] == "done" and status["done"] == status["total"] == 450


def test_api_import_reports_rows_in_the_error_shape(zhangwu_admin, api_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api_client(zhangwu_admin)
    bad = SimpleUploadedFile("t.xlsx", xlsx(TEAM_HEADERS, [team_row("甲"), team_row("乙", **{"人数": "很多"})]))
    response = client.post("/api/v1/teams/import", {"file": bad})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "import_invalid" and error["rows"][0]["row"] == 3 and error["rows"][0]["header"] == "人数"
    good = SimpleUploadedFile("t.xlsx", xlsx(TEAM_HEADERS, [team_row("甲")]))
    ok = client.post("/api/v1/teams/import", {"file": good})
    assert ok.status_code == 200 and ok.json()["result"]["created"] == 1
    assert client.get("/api/v1/teams/import-template").status_code == 200


def test_shelter_import_derives_capacity(zhangwu_admin):
    headers = ["场所名称", "场所类型", "场所级别", "总面积（m²）", "有效避难面积（m²）", "设施配置", "管理人", "管理人电话",
               "所属行政区划", "经度", "纬度"]
    row = ["导入避难场所", "紧急避难场所", "县级", 5000, 3000, "照明,标识", "李", "13900000000", "210922", *ZHANGWU_POINT]
    result = run(zhangwu_admin, "shelters", xlsx(headers, [row]))
    assert result.ok, [e.text() for e in result.errors]
    assert Shelter.objects.get().capacity == 1999


def test_an_import_is_audited_row_by_row_on_one_unbroken_chain(zhangwu_admin):
    """The import writes its audit entries together at the end: one per row and one for the
    import, in row order, each linked to the one before, and the chain still verifies; a failed
    import or a dry run leaves no entry at all."""
    from yingji.audit.models import AuditEntry
    from yingji.audit.services import verify_chain

    run(zhangwu_admin, "teams", xlsx(TEAM_HEADERS, [team_row("先前队")]))
    before = AuditEntry.objects.count()
    assert run(zhangwu_admin, "teams", xlsx(TEAM_HEADERS, [team_row("甲队"), team_row("坏", **{"人数": -1})])).error_count
    assert run(zhangwu_admin, "teams", xlsx(TEAM_HEADERS, [team_row("乙队")]), dry_run=True).ok
    assert AuditEntry.objects.count() == before

    result = run(zhangwu_admin, "teams", xlsx(TEAM_HEADERS, [team_row(f"{n}队") for n in "一二三四"]))
    assert result.ok and result.created == 4
    new = list(AuditEntry.objects.order_by("seq")[before:])
    assert [(e.action, e.object_repr) for e in new] == [("create", f"{n}队") for n in "一二三四"] + [("import", "")]
    created = {str(pk) for pk in RescueTeam.objects.filter(name__in=[f"{n}队" for n in "一二三四"]).values_list("pk", flat=True)}
    assert {e.object_id for e in new[:4]} == created  # each entry names the record it created
    assert [e.seq for e in new] == list(range(new[0].seq, new[0].seq + 5))
    assert all(b.prev_hash == a.entry_hash for a, b in zip(new, new[1:]))
    assert verify_chain().ok


def test_new_rows_sharing_a_unique_key_are_named_and_nothing_is_imported(zhangwu_admin):
    """New rows are inserted together; when the database refuses them (two rows of the file with
    one 执法证号) the import names the later row with the model's own message and writes nothing;
    a clean file goes in whole, every row audited."""
    from yingji.audit.models import AuditEntry
    from yingji.enforcement.models import Inspector

    headers = ["姓名", "所在单位", "执法证号", "执法证有效期至", "所属行政区划"]

    def row(name, number):
        return [name, "彰武县应急管理局", number, "2030-12-31", "彰武县"]

    entries = AuditEntry.objects.count()
    result = run(zhangwu_admin, "inspectors", xlsx(headers, [row("甲", "ZW-001"), row("乙", "ZW-002"), row("丙", "ZW-001")]))
    assert not result.ok and result.created == 0
    assert [e.row for e in result.errors] == [4]
    assert "执法证号" in result.errors[0].text() and "已存在" in result.errors[0].text()
    assert not Inspector.objects.exists() and AuditEntry.objects.count() == entries

    result = run(zhangwu_admin, "inspectors", xlsx(headers, [row("甲", "ZW-001"), row("乙", "ZW-002")]))
    assert result.ok and result.created == 2
    assert sorted(Inspector.objects.values_list("certificate_number", flat=True)) == ["ZW-001", "ZW-002"]
    assert AuditEntry.objects.filter(action="create", model="enforcement.Inspector").count() == 2

    again = run(zhangwu_admin, "inspectors", xlsx(headers, [row("丁", "ZW-003"), row("戊", "ZW-002")]))
    assert [e.row for e in again.errors] == [3] and "已存在" in again.errors[0].text()
    assert Inspector.objects.count() == 2


def test_a_number_longer_than_excel_keeps_is_refused_not_imported_wrong(zhangwu_admin):
    """Excel keeps 15 significant digits: an 18-digit number typed as a number has lost its last
    digits, so the cell is refused with what to do instead of stored wrong."""
    result = run(zhangwu_admin, "teams", xlsx(TEAM_HEADERS, [team_row("甲队", **{"负责人电话": 110101199003077777})]))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(2, "G")]
    assert "超过 15 位" in result.errors[0].text() and "文本" in result.errors[0].text()
    assert not RescueTeam.objects.filter(name="甲队").exists()
