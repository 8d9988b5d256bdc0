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

    for name, role, region in (("city", "city_admin", CITY), ("zhangwu", "county_admin", ZHANGWU),
                               ("fumeng", "county_admin", "210921000000")):
        make_user(name, role, region)
    assert load_disasters() == 1
    event = DisasterEvent.objects.get()
    assert event.is_synthetic and "合成" in event.title and event.stabilised_at
    assert set(event.reports.values_list("stage", flat=True)) == {"initial", "update", "final"}
    assert event.reports.filter(is_synthetic=True).count() == event.reports.count()
    county = event.reports.get(division_code=ZHANGWU, stage="final")
    assert county.differences and "国有林场" in county.difference_explanation
    assert event_totals(event)["deaths"] == 1
    assert relief_for(event).level == 4
    assert event.payments.count() == 3
    assert load_disasters() == 0  # idempotent


def test_xlsx_export_of_the_loss_reports(people, event, file):
    import io

    from openpyxl import load_workbook

    file("zhangwu", event, "initial", ZW_TOWN_A, affected_population=100, direct_loss_wan="12.5")
    file("zhangwu", event, "initial", "210922101000", affected_population=50)
    response = login(people["city"]).get(f"/disasters/{event.pk}/export.xlsx?stage=initial")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in values if r[0] == "区划代码")
    assert header[4] == "受灾人口（人）"
    assert [r[1] for r in values[values.index(header) + 1:]] == ["彰武镇", "哈尔套镇", "阜新市合计"]
    assert values[-1][4] == 150 and values[-1][header.index("直接经济损失（万元）")] == 12.5
    # 海州区 exports only its own part (nothing reported there)
    other = load_workbook(io.BytesIO(login(people["haizhou"]).get(f"/disasters/{event.pk}/export.xlsx").content)).active
    assert [c.value for c in list(other.iter_rows())[-1]][0] == "区划代码"
