"""Pages: the event page shows the relief level and the condition that met it; the report
form files a report and asks for the explanation of a jump; the synthetic demo loads."""

from __future__ import annotations

from django.test import Client

from tests.conftest import CITY, PASSWORD, ZHANGWU
from tests.disasters.conftest import ZW_TOWN_A


def login(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_event_page_shows_level_and_condition(people, event, file):
    file("zhangwu", event, "initial", ZW_TOWN_A, deaths=20, affected_population=500)
    page = login(people["city"]).get(f"/disasters/{event.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "救助应急响应：<strong>四级</strong>" in html
    assert "死亡和失踪20人，达到四级响应条件（20人以上）" in html
    assert "彰武镇" in html  # the per-stage summary names the township
    assert login(people["haizhou"]).get(f"/disasters/{event.pk}/").status_code == 200  # affected county


def test_index_lists_visible_events(people, event):
    assert event.title in login(people["zhangwu"]).get("/disasters/").content.decode()


def test_report_form_files_and_asks_for_jump_explanation(people, event):
    client = login(people["zhangwu"])
    form = client.get(f"/disasters/{event.pk}/report/")
    assert form.status_code == 200 and 'name="jump_explanation"' in form.content.decode()
    base = {"stage": "initial", "division_code": ZW_TOWN_A, "reporter": "村灾害信息员"}
    assert client.post(f"/disasters/{event.pk}/report/", {**base, "affected_population": "40"}).status_code == 302
    refused = client.post(f"/disasters/{event.pk}/report/", {**base, "stage": "update", "affected_population": "400"})
    assert refused.status_code == 400 and "须填写书面说明" in refused.content.decode()
    assert client.post(f"/disasters/{event.pk}/report/", {**base, "stage": "update", "affected_population": "400",
                                                          "jump_explanation": "新增两个村的核查数"}).status_code == 302
    assert event.reports.count() == 2


def test_new_event_form(people):
    client = login(people["zhangwu"])
    response = client.post("/disasters/new/", {"title": "彰武县风雹", "hazard_type": "wind_hail",
                                               "start_at": "2025-07-01T10:00", "division_code": ZHANGWU,
                                               "affected_codes": ZW_TOWN_A})
    assert response.status_code == 302


def test_stabilise_button(people, event):
    response = login(people["city"]).post(f"/disasters/{event.pk}/stabilise/")
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.stabilised_at is not None
    assert login(people["zhangwu"]).post(f"/disasters/{event.pk}/stabilise/").status_code in (302, 403)


def test_synthetic_demo_event_loads_through_all_stages(make_user):
    from yingji.disasters.demo_data import load_disasters
    from yingji.disasters.models import DisasterEvent
    from yingji.disasters.selectors import event_totals, relief_for

    from yingji.disasters.deadlines import rows
    from yingji.disasters.models import ReliefNotice

    for name, role, region in (("city", "city_admin", CITY), ("zhangwu", "county_admin", ZHANGWU),
                               ("fumeng", "county_admin", "210921000000"),
                               ("xinxiyuan", "info_officer", "210922100201")):
        make_user(name, role, region)
    assert load_disasters() == 2
    current = DisasterEvent.objects.get(stabilised_at__isnull=True)
    assert current.daily_reporting and current.reports.get().review_state == "pending"
    event = DisasterEvent.objects.get(stabilised_at__isnull=False)
    assert event.is_synthetic and "合成" in event.title and event.stabilised_at
    # every reporting limit of the finished flood was met, the city's own included
    limits = rows(event)
    assert {(r.division, r.stage) for r in limits} >= {(CITY, "initial"), (CITY, "final"), (ZHANGWU, "final")}
    assert {r.state for r in limits} == {"met"}, [(r.division, r.stage, r.state, getattr(r, "due", None), getattr(r, "done", None)) for r in limits if r.state != "met"]
    assert ReliefNotice.objects.get(event=event).households == 3
    assert set(event.reports.values_list("stage", flat=True)) == {"initial", "update", "final"}
    assert event.reports.filter(is_synthetic=True).count() == event.reports.count()
    county = event.reports.get(division_code=ZHANGWU, stage="final")
    assert county.differences and "国有林场" in county.difference_explanation
    assert event_totals(event)["deaths"] == 1
    assert relief_for(event).level == 4
    assert event.payments.count() == 3
    assert load_disasters() == 0  # idempotent


def test_xlsx_export_in_the_layout_of_the_statistics_forms(people, event, file):
    import io

    from openpyxl import load_workbook

    from yingji.disasters.services import record_payment, register_casualty

    file("zhangwu", event, "initial", ZW_TOWN_A, affected_population=100, deaths=1, direct_loss_wan="12.5",
         crop_affected_ha="30", crop_damaged_ha="10", crop_lost_ha="2")
    file("zhangwu", event, "initial", "210922101000", affected_population=50)
    register_casualty(people["zhangwu"], event, {"status": "dead", "name": "刘五", "occurred_at": "2025-07-28 06:30",
                                                 "place": "彰武镇河堤", "cause": "洪水冲走", "division_code": ZW_TOWN_A})
    record_payment(people["zhangwu"], event, {"category": "winter_spring", "head_name": "孙六", "head_id_number":
                                              "210922198001010011", "household_size": 4, "people": 2,
                                              "amount_yuan": "260", "signer": "孙六", "division_code": ZW_TOWN_A})
    response = login(people["city"]).get(f"/disasters/{event.pk}/export.xlsx?stage=initial")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["应急统表1", "附表 分乡镇", "因灾死亡失踪人口一览表", "应急统表10"]
    form = [[c.value for c in row] for row in book["应急统表1"].iter_rows()]
    flat = [v for row in form for v in row if v is not None]
    assert "表　　号：应急统表1" in flat and "自然灾害损失情况统计快报表" in flat and "报告阶段：初报" in flat
    header = next(i for i, r in enumerate(form) if r[0] == "指标名称")
    assert form[header] == ["指标名称", "计量单位", "行次", "数值"] and form[header + 1] == ["甲", "乙", "丙", "1"]
    by_name = {(r[0], r[1]): (r[2], r[3]) for r in form[header + 2:] if r[0] and r[1]}
    assert by_name[("受灾人口", "人")] == (1, 150) and by_name[("因灾死亡人口", "人")] == (2, 1)
    assert by_name[("其中：绝收面积", "公顷")][1] == 2 and by_name[("四、直接经济损失", "万元")][1] == 12.5
    assert any(str(v).startswith("单位负责人") for v in flat) and any(str(v).startswith("填表人：") for v in flat)
    parts = [[c.value for c in row] for row in book["附表 分乡镇"].iter_rows()]
    head = next(r for r in parts if r[0] == "区划代码")
    assert [r[1] for r in parts[parts.index(head) + 1:]] == ["彰武镇", "哈尔套镇", "阜新市合计"]
    register = [[c.value for c in row] for row in book["因灾死亡失踪人口一览表"].iter_rows()]
    assert register[-1][1:3] == ["刘五", None] and register[-1][6] == "死亡"
    form10 = [[c.value for c in row] for row in book["应急统表10"].iter_rows()]
    codes = next(r for r in form10 if r[1] == "D03001")
    assert codes[1:] == [f"D0300{n}" for n in range(1, 10)] + ["D03010"]
    assert form10[-1][1] == "孙六" and form10[-1][8] == 260
    # 海州区 exports only its own part (nothing reported there)
    other = load_workbook(io.BytesIO(login(people["haizhou"]).get(f"/disasters/{event.pk}/export.xlsx").content))
    assert [c.value for c in list(other["附表 分乡镇"].iter_rows())[-1]][0] == "区划代码"
