"""The seven indicators from the platform's records: incidents for production safety, loss
reports for natural disasters, baselines entered per year and division; dashboard and .docx."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from tests.conftest import CITY, PASSWORD, ZHANGWU, ZHANGWU_POINT
from tests.disasters.conftest import ZW_TOWN_A


def _incident(user, year, deaths, grade_level):
    from yingji.incidents.models import Incident
    from yingji.regions.models import Organisation

    unit = Organisation.objects.get_or_create(name="彰武县应急管理局", kind="bureau", division_code=ZHANGWU)[0]
    at = timezone.make_aware(dt.datetime(year, 6, 1, 10, 0))
    return Incident.objects.create(client_token=uuid.uuid4(), title="测试事故", source="phone",
                                   type_code="accident.hazchem", category="accident", received_at=at, occurred_at=at,
                                   description="测试", receiving_unit=unit, deaths=deaths, grade_level=grade_level,
                                   division_code=ZHANGWU, lon=ZHANGWU_POINT[0], lat=ZHANGWU_POINT[1])


def _baseline(user, year, **values):
    from yingji.core.records import create_record
    from yingji.disasters.models import IndicatorBaseline

    return create_record(user, IndicatorBaseline, {"year": year, "division_code": ZHANGWU,
                                                   "source": "测试统计公报（合成）", **values})


def test_indicators_from_incidents_loss_reports_and_baselines(people, file):
    from yingji.disasters import indicators
    from yingji.disasters.services import create_event

    user = people["zhangwu"]
    _incident(user, 2020, 10, 4)
    _incident(user, 2020, 3, 3)  # 较大
    _incident(user, 2024, 6, 4)
    _baseline(user, 2020, gdp_yi=Decimal("100"), population=400_000, workers=50_000)
    _baseline(user, 2024, gdp_yi=Decimal("120"), population=400_000, workers=40_000)
    event = create_event(user, {"title": "2024年测试洪涝", "hazard_type": "flood",
                                "start_at": timezone.make_aware(dt.datetime(2024, 7, 20, 8, 0))})
    file(user, event, "initial", ZW_TOWN_A, affected_population=20_000, deaths=1, missing=1, direct_loss_wan="6000")

    table = {r["indicator"].code: r for r in indicators.indicator_table(ZHANGWU, [2024])}
    # 1: 6 deaths vs 13 → −53.8 %: met.  2: 0 较大 vs 1 → −100 %: met.
    assert table["accident_deaths"]["assessment"]["met"] and table["major_accidents"]["assessment"]["met"]
    # 3: 6 / 120 亿元 = 0.05 vs 13 / 100 = 0.13 → −61.5 %.  4: 6 × 10⁵ / 40 000 = 15 vs 26 → −42.3 %
    assert table["deaths_per_gdp"]["values"][2024] == Decimal("0.05")
    assert table["deaths_per_100k_workers"]["values"][2024] == Decimal(15)
    # 5: 1 death / 400 000 × 10⁶ = 2.5 (not met).  6: 20 000 × 10⁵ / 400 000 = 5 000 (met).
    assert table["disaster_deaths_per_million"]["values"][2024] == Decimal("2.5")
    assert not table["disaster_deaths_per_million"]["assessment"]["met"]
    assert table["affected_per_100k"]["values"][2024] == Decimal(5000)
    # 7: 6 000 万元 / (120 亿元 × 10 000) × 100 = 0.5 %
    assert table["loss_share_of_gdp"]["values"][2024] == Decimal("0.5")


def test_a_city_event_counts_for_the_county_it_affects(people, event, file):
    from yingji.disasters.indicators import disaster_figures

    file("zhangwu", event, "initial", ZW_TOWN_A, affected_population=300, deaths=2)
    year = event.start_at.year
    assert disaster_figures(ZHANGWU, year)["affected_person_times"] == 300
    assert disaster_figures(CITY, year)["deaths"] == 2
    assert disaster_figures("210902000000", year)["deaths"] == 0


def test_missing_baselines_show_as_no_value(people):
    from yingji.disasters import indicators

    table = {r["indicator"].code: r for r in indicators.indicator_table(ZHANGWU, [2024])}
    assert table["deaths_per_gdp"]["values"][2024] is None
    assert table["accident_deaths"]["values"][2024] == 0


def test_dashboard_ranking_and_docx(people):
    _baseline(people["zhangwu"], 2025, gdp_yi=Decimal("150"), population=380_000, workers=30_000)
    client = Client()
    assert client.login(username=people["city"].username, password=PASSWORD)
    page = client.get("/disasters/indicators/?year=2025")
    html = page.content.decode()
    assert page.status_code == 200 and "年均每十万人受灾人次" in html and "彰武县" in html
    report = client.get(f"/disasters/indicators/report.docx?code={CITY}&year=2025")
    assert report.status_code == 200
    from docx import Document

    doc = Document(io.BytesIO(report.content))
    assert "核心指标完成情况" in doc.paragraphs[0].text
    assert doc.tables[0].rows[0].cells[1].text == "指标" and len(doc.tables[0].rows) == 8
    county = Client()
    assert county.login(username=people["zhangwu"].username, password=PASSWORD)
    assert county.get(f"/disasters/indicators/?code={CITY}").status_code == 403


def test_baseline_is_unique_per_division_and_year(people):
    import pytest

    from yingji.core.errors import ServiceError

    _baseline(people["zhangwu"], 2023, population=1)
    with pytest.raises(ServiceError):
        _baseline(people["zhangwu"], 2023, population=2)


def test_synthetic_indicator_history_demo(make_user):
    from yingji.disasters import indicators
    from yingji.disasters.demo_data import load_indicator_history

    make_user("city", "city_admin", CITY)
    make_user("zhangwu", "county_admin", ZHANGWU)
    assert load_indicator_history() == 6
    table = {r["indicator"].code: r for r in indicators.indicator_table(CITY, [2021, 2022, 2023, 2024])}
    # 2022: 15 400 affected in 1 610 000 people → 956.52 per 100 000
    assert indicators.di.rounded(table["affected_per_100k"]["values"][2022]) == Decimal("956.52")
    assert load_indicator_history() == 0


def test_trend_chart_geometry_hand_computed():
    from yingji.disasters.charts import BOTTOM, HEIGHT, LEFT, TOP, trend

    chart = trend([2021, 2022, 2023], {2021: Decimal("4"), 2022: None, 2023: Decimal("8")}, Decimal("6"))
    # the axis tops at 10 (next round bound above 8); plot height 170 − 14 − 26 = 130
    plot_h = HEIGHT - TOP - BOTTOM
    assert [p["year"] for p in chart["points"]] == [2021, 2023]  # the missing year is a gap, not a zero
    assert chart["points"][0]["x"] == LEFT and chart["points"][0]["y"] == round(TOP + plot_h * 0.6, 1)
    assert chart["target_y"] == round(TOP + plot_h * 0.4, 1)
    assert [t["text"] for t in chart["ticks"]] == ["0", "2.5", "5", "7.5", "10"]


def test_dashboard_draws_each_trend_with_its_target_line(people):
    from yingji.disasters.demo_data import load_indicator_history
    from yingji.accounts.models import User

    User.objects.filter(pk=people["city"].pk).update(username="city")
    User.objects.filter(pk=people["zhangwu"].pk).update(username="zhangwu")
    load_indicator_history()
    client = Client()
    assert client.login(username="city", password=PASSWORD)
    html = client.get("/disasters/indicators/?year=2025").content.decode()
    start = html.index('data-testid="trend-affected_per_100k"')
    figure = html[start:html.index("</figure>", start)]
    assert figure.count("<circle") == 5 and 'class="target-line"' in figure and "目标线 15000" in figure
    start = html.index('data-testid="trend-accident_deaths"')
    figure = html[start:html.index("</figure>", start)]
    assert "<circle" in figure  # 0 deaths in every year is still a value (drawn on the axis)
