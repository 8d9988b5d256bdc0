"""A synthetic (合成) summer flood in the profile (Fuxin: township loss reports through 初报, 续报
and 核报 in 彰武县 and 阜新蒙古族自治县; Kaiyuan: village reports in two townships), unit reports (one with an explained difference), the city's
stabilisation, relief payments and a material issue — all entered through the real services.

The relief table used is an illustrative local table labelled as synthetic (its thresholds are
NOT those of any real Fuxin document); the national table would not start at city scale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from yingji.accounts.models import User
from yingji.core.records import create_record
from yingji.demo import demo_step, profile
from yingji.resources.models import Warehouse
from yingji.resources.stock import current_stock

from .models import DisasterEvent, IndicatorBaseline, ReliefTableConfig
from . import selectors
from .services import create_event, file_report, issue_materials, mark_stabilised, post_notice, record_payment

# figures of the 初报 of the five reporting areas (the profile's [demo.disasters] areas: three in
# the focus unit, two in the second); later stages scale these up
FIGURES = [
    ({"affected_population": 3200, "relocated": 420, "needing_aid": 160, "collapsed_rooms": 12,
                               "collapsed_households": 5, "severe_rooms": 30, "severe_households": 14,
                               "general_rooms": 85, "general_households": 40, "crop_affected_ha": "850",
                               "crop_damaged_ha": "300", "crop_lost_ha": "60", "direct_loss_wan": "1260"}),
    ({"affected_population": 1800, "relocated": 150, "needing_aid": 90, "deaths": 1,
                               "collapsed_rooms": 6, "collapsed_households": 3, "severe_rooms": 18,
                               "severe_households": 8, "crop_affected_ha": "620", "crop_damaged_ha": "210",
                               "direct_loss_wan": "640"}),
    ({"affected_population": 950, "relocated": 60, "needing_aid": 40, "severe_rooms": 7,
                               "severe_households": 3, "crop_affected_ha": "400", "direct_loss_wan": "220"}),
    ({"affected_population": 2600, "relocated": 380, "needing_aid": 120, "missing": 1,
                              "collapsed_rooms": 9, "collapsed_households": 4, "severe_rooms": 25,
                              "severe_households": 11, "crop_affected_ha": "780", "crop_damaged_ha": "260",
                              "crop_lost_ha": "45", "direct_loss_wan": "980"}),
    ({"affected_population": 1400, "relocated": 90, "needing_aid": 70,
                              "crop_affected_ha": "510", "crop_damaged_ha": "150", "direct_loss_wan": "410"}),
]


def _setting():
    """(profile, root code, focus unit code, second unit code, area -> (unit, figures))."""
    p = profile.current()
    focus, second = profile.focus(p).code12, profile.second(p).code12
    areas = p.demo["disasters"]["areas"]
    towns = {code: (focus if which == "focus" else second, figures)
             for (code, which), figures in zip(areas, FIGURES, strict=True)}
    return p, p.root12, focus, second, towns


def _scaled(figures: dict, factor: str) -> dict:
    out = {}
    for key, value in figures.items():
        scaled = Decimal(str(value)) * Decimal(factor)
        out[key] = str(scaled.quantize(Decimal("0.01"))) if isinstance(value, str) else int(scaled)
    return out


def _sum(rows: list[dict]) -> dict:
    total: dict = {}
    for row in rows:
        for key, value in row.items():
            if isinstance(value, str):
                total[key] = str(Decimal(total.get(key, "0")) + Decimal(value))
            else:
                total[key] = total.get(key, 0) + value
    return total


def _users(p, *slots) -> dict:
    names = {p.username(slot): slot for slot in slots}
    return {names[u.username]: u for u in User.objects.filter(username__in=list(names))}


@demo_step(80, "灾害过程与灾情报告（合成：夏季暴雨洪涝）")
def load_disasters() -> int:
    if DisasterEvent.objects.filter(is_synthetic=True).exists():
        return 0
    p, CITY, ZHANGWU, FUMENG, TOWNSHIPS = _setting()  # noqa: N806  (the names the step was written with)
    users = _users(p, "city", "focus_admin", "second_admin")
    if len(users) < 3:
        return 0
    table = create_record(users["city"], ReliefTableConfig, {
        "code": f"{p.root}-2024", "name": f"{p.name}自然灾害救助应急响应（示例阈值，合成）", "document": "示例（非真实文件）",
        "source": f"合成示例：真实阈值请按{p.name}自然灾害救助应急预案录入", "division_code": CITY, "is_synthetic": True,
        "thresholds": {"1": {"dead_missing": 10, "relocated_or_needing_aid": 20000, "collapsed_severe_rooms": 3000},
                       "2": {"dead_missing": 5, "relocated_or_needing_aid": 10000, "collapsed_severe_rooms": 1000},
                       "3": {"dead_missing": 3, "relocated_or_needing_aid": 3000, "collapsed_severe_rooms": 300},
                       "4": {"dead_missing": 1, "relocated_or_needing_aid": 1000, "collapsed_severe_rooms": 100}},
    })
    start = timezone.now() - dt.timedelta(days=8)
    event = create_event(users["city"], {
        "title": f"{p.name}7月暴雨洪涝过程（合成示例）", "hazard_type": "flood", "start_at": start,
        "end_at": start + dt.timedelta(days=2), "division_code": CITY, "affected_codes": [ZHANGWU, FUMENG],
        "description": f"合成示例：强降雨致{profile.focus(p).short_name}、{profile.second(p).short_name}部分地区内涝，转移安置群众。",
        "relief_table_id": table.pk,
        "is_synthetic": True,
    })
    county_user = {ZHANGWU: users["focus_admin"], FUMENG: users["second_admin"]}
    stages = [("initial", "1", dt.timedelta(hours=2)), ("update", "1.3", dt.timedelta(days=1)),
              ("update", "1.4", dt.timedelta(days=2))]
    for stage, factor, offset in stages:
        per_county: dict[str, list[dict]] = {ZHANGWU: [], FUMENG: []}
        for town, (county, figures) in TOWNSHIPS.items():
            values = _scaled(figures, factor)
            per_county[county].append(values)
            file_report(county_user[county], event, {"stage": stage, "division_code": town, "reporter": "乡镇灾害信息员（示例）",
                                                     "report_at": start + offset, **values})
        for county, rows in per_county.items():
            file_report(county_user[county], event, {"stage": stage, "division_code": county, "reporter": "县应急管理局（示例）",
                                                     "report_at": start + offset + dt.timedelta(minutes=30), **_sum(rows)})
        _city_report(users["city"], event, stage, start + offset + dt.timedelta(hours=1))
    event = mark_stabilised(users["city"], event, start + dt.timedelta(days=4))
    # 核报 the day after 灾情稳定: inside the county's two working days whatever weekday the demo is loaded on
    final_at = start + dt.timedelta(days=5)
    for county in (ZHANGWU, FUMENG):
        rows = []
        for town, (town_county, figures) in TOWNSHIPS.items():
            if town_county == county:
                values = _scaled(figures, "1.4")
                rows.append(values)
                file_report(county_user[county], event, {"stage": "final", "division_code": town, "reporter": "乡镇（示例）",
                                                         "report_at": final_at, **values})
        total = _sum(rows)
        extra = {}
        if county == ZHANGWU:  # the county adds a state forest farm reported outside the township forms
            total["affected_population"] += 35
            extra["difference_explanation"] = "县直国有林场受灾35人，未列入乡镇报表（示例）"
        file_report(county_user[county], event, {"stage": "final", "division_code": county, "reporter": "县应急管理局（示例）",
                                                 "report_at": final_at + dt.timedelta(hours=2), **total, **extra})
    _city_report(users["city"], event, "final", final_at + dt.timedelta(hours=4))
    _relief(users["focus_admin"], event)
    _current_event(users)
    return DisasterEvent.objects.filter(is_synthetic=True).count()


def _city_report(user, event, stage: str, at) -> None:
    """The city's own report for the province: the sum of its counties (so it never differs)."""
    city = profile.current().root12
    total, _ = selectors.sum_of_parts(event, city, stage)
    figures = {k: str(v) for k, v in total.items()}
    file_report(user, event, {"stage": stage, "division_code": city, "reporter": "市应急管理局（示例）", "report_at": at,
                              **figures})


def _current_event(users) -> None:
    """A storm still running: 24-hour zero reporting on, the village 灾害信息员's 初报 waiting
    for 彰武县's review (its deadlines show on the 值班台)."""
    p, CITY, ZHANGWU, _, _ = _setting()  # noqa: N806
    spec = p.demo["disasters"]
    officer = User.objects.filter(username=p.username("info_officer")).first()
    start = timezone.now() - dt.timedelta(hours=1)
    event = create_event(users["city"], {
        "title": f"{profile.focus(p).short_name}局地短时强降雨（合成示例）", "hazard_type": "flood", "start_at": start,
        "division_code": CITY, "affected_codes": [ZHANGWU], "daily_reporting": True, "is_synthetic": True,
        "description": f"合成示例：{spec['current_place']}局地短时强降雨，部分村屯积水。"})
    if officer is not None:
        file_report(officer, event, {"stage": "initial", "division_code": officer.region_code, "reporter": "示例村灾害信息员",
                                     "report_at": start + dt.timedelta(minutes=40), "affected_population": 86,
                                     "relocated": 12, "general_rooms": 3, "general_households": 2,
                                     "crop_affected_ha": "20", "direct_loss_wan": "14.5",
                                     "summary": "合成示例：村东组房屋进水，已转移12人。"})


def _relief(user, event) -> None:
    """A few emergency-assistance payments (synthetic IDs) and one material issue if a warehouse of
    the focus unit holds stock."""
    p = profile.current()
    focus = profile.focus(p)
    spec = p.demo["disasters"]
    area = spec["areas"][0][0]
    heads = [("示例户主甲", 4, 3), ("示例户主乙", 3, 3), ("示例户主丙", 5, 2)]
    payments = []
    for n, (name, size, people) in enumerate(heads, start=1):
        payments.append(record_payment(user, event, {
            "category": "emergency", "head_name": name, "head_id_number": f"{focus.code[:6]}19700101{n:03d}X",
            "household_size": size, "people": people, "amount_yuan": str(300 * people), "signer": name,
            "division_code": area, "is_synthetic": True}))
    for line in current_stock(user=user):
        if line.warehouse_id and line.available >= 2 and line.material_id:
            if Warehouse.objects.filter(pk=line.warehouse_id, division_code__startswith=focus.prefix).exists():
                issue_materials(user, payments[0], warehouse=line.warehouse_id, material=line.material_id,
                                quantity="1", signer=payments[0].head_name)
                break
    post_notice(user, event, {"category": "emergency", "division_code": area, "place": f"{spec['notice_place']}（示例）",
                              "days": 7, "is_synthetic": True})


# Synthetic baselines and one past flood per year, so the indicator dashboard has 2020–2025.
# NOT official statistics: labelled 合成 in the source column.
BASELINES = {  # year: (GDP 亿元, population, workers in 工矿商贸)
    2020: ("540", 1_640_000, 152_000), 2021: ("570", 1_625_000, 150_000), 2022: ("585", 1_610_000, 148_000),
    2023: ("600", 1_598_000, 147_000), 2024: ("615", 1_585_000, 146_000), 2025: ("630", 1_572_000, 145_000),
}
PAST_FLOODS = {2021: (9800, 0, "2100"), 2022: (15400, 1, "3600"), 2023: (7200, 0, "1500"), 2024: (11800, 0, "2800")}


@demo_step(81, "核心指标基础数据与历年灾情（合成）")
def load_indicator_history() -> int:
    if IndicatorBaseline.objects.filter(is_synthetic=True).exists():
        return 0
    p, CITY, ZHANGWU, _, _ = _setting()  # noqa: N806
    users = _users(p, "city", "focus_admin")
    if len(users) < 2:
        return 0
    scale = Decimal(str(p.demo["disasters"].get("city_scale", 1)))
    for year, (gdp, population, workers) in BASELINES.items():
        create_record(users["city"], IndicatorBaseline, {
            "year": year, "division_code": CITY, "gdp_yi": str((Decimal(gdp) * scale).quantize(Decimal(1))),
            "population": int(population * scale), "workers": int(workers * scale),
            "source": "合成示例（非官方统计数据）", "is_synthetic": True})
    for year, (affected, deaths, loss) in PAST_FLOODS.items():
        start = timezone.make_aware(dt.datetime(year, 7, 25, 6, 0))
        event = create_event(users["focus_admin"], {
            "title": f"{profile.focus(p).short_name}{year}年暴雨洪涝（合成示例）", "hazard_type": "flood", "start_at": start,
            "end_at": start + dt.timedelta(days=1), "division_code": ZHANGWU, "is_synthetic": True})
        file_report(users["focus_admin"], event, {"stage": "initial", "division_code": ZHANGWU, "reporter": "县应急管理局（示例）",
                                              "report_at": start + dt.timedelta(hours=2), "affected_population": affected,
                                              "deaths": deaths, "direct_loss_wan": loss})
    return IndicatorBaseline.objects.filter(is_synthetic=True).count()


# The focus unit's own baselines (synthetic; Fuxin's 彰武县 roughly a quarter of the city, scaled
# by the profile's focus_scale) so its indicators have denominators.
ZHANGWU_BASELINES = {  # year: (GDP 亿元, population, workers in 工矿商贸)
    2020: ("118", 372_000, 24_500), 2021: ("124", 369_000, 24_200), 2022: ("127", 366_000, 23_900),
    2023: ("131", 363_000, 23_700), 2024: ("134", 360_000, 23_400), 2025: ("137", 357_000, 23_100),
}


@demo_step(82, "县区核心指标基础数据与救助响应分级表（合成）")
def load_county_baselines_and_table() -> int:
    """The focus unit's (Fuxin: 彰武县) indicator baselines and its own relief response table
    (synthetic thresholds at a county's scale, filed by the county bureau; the city's event keeps
    the city's table)."""
    p, _, ZHANGWU, _, _ = _setting()  # noqa: N806
    focus = profile.focus(p)
    if IndicatorBaseline.objects.filter(is_synthetic=True, division_code=ZHANGWU).exists():
        return 0
    county = User.objects.filter(username=p.username("focus_admin")).first()
    if county is None:
        return 0
    scale = Decimal(str(p.demo["disasters"].get("focus_scale", 1)))
    for year, (gdp, population, workers) in ZHANGWU_BASELINES.items():
        create_record(county, IndicatorBaseline, {
            "year": year, "division_code": ZHANGWU, "gdp_yi": str((Decimal(gdp) * scale).quantize(Decimal(1))),
            "population": int(population * scale), "workers": int(workers * scale),
            "source": "合成示例（非官方统计数据）", "is_synthetic": True})
    create_record(county, ReliefTableConfig, {
        "code": f"{p.demo['focus_tag']}-2025", "name": f"{focus.short_name}自然灾害救助应急响应（示例阈值，合成）",
        "document": "示例（非真实文件）", "source": f"合成示例：真实阈值请按{focus.short_name}自然灾害救助应急预案录入", "division_code": ZHANGWU, "is_synthetic": True,
        "thresholds": {"1": {"dead_missing": 5, "relocated_or_needing_aid": 5000, "collapsed_severe_rooms": 500},
                       "2": {"dead_missing": 3, "relocated_or_needing_aid": 2000, "collapsed_severe_rooms": 200},
                       "3": {"dead_missing": 2, "relocated_or_needing_aid": 1000, "collapsed_severe_rooms": 100},
                       "4": {"dead_missing": 1, "relocated_or_needing_aid": 300, "collapsed_severe_rooms": 30}},
    })
    return len(ZHANGWU_BASELINES) + 1
