"""Demo: public subscribers, area populations, channel settings and a few warnings of different
levels and areas taken through the real approval workflow (one upgraded, one lifted), plus an
imported CAP alert. All synthetic and labelled so; SMS outcomes in the demo are simulated
(there is no SMS gateway in the demo) and the SMS channel is left disabled afterwards."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from yingji.accounts.models import User
from yingji.cap import WarningArea, WarningMessage, build_cap
from yingji.demo import profile
from yingji.demo.places import point_in_county, township_of
from yingji.demo.steps import SEED, demo_step

from . import services
from .imports import import_cap
from .models import AreaPopulation, ChannelConfig, Delivery, Subscriber, Warning



def _populations(p) -> dict[str, int]:
    """Unit code -> synthetic population in thousands (示例，非统计数据), from the profile."""
    return dict(zip((u.code for u in p.units), p.demo["warnings"]["populations"], strict=True))

SUBSCRIBERS = 3000
POPULATION_SOURCE = "示例（合成）：演示用数值，部署时请替换为统计部门公布的常住人口"


def _subscribers(rng: random.Random) -> list:
    rows = []
    p = profile.current()
    populations = _populations(p)
    mid = p.demo.get("mobile_mid", "0418")[1:]
    counties = rng.choices(list(populations), weights=list(populations.values()), k=SUBSCRIBERS)
    for index, county in enumerate(counties):
        lon, lat = point_in_county(rng, county)
        division = township_of(lon, lat, county)
        located = rng.random() < 0.7
        rows.append(Subscriber(phone=f"1709{mid}{index:04d}", name=f"示例订阅用户{index:04d}", division_code=division,
                               lon=lon if located else None, lat=lat if located else None,
                               source=rng.choice(["web", "sms", "counter"]), is_synthetic=True))
    return rows


@demo_step(60, "预警订阅用户与区域人口")
def load_subscribers() -> int:
    if Subscriber.objects.filter(is_synthetic=True).exists():
        return 0
    rows = _subscribers(random.Random(SEED + 60))
    p = profile.current()
    city = p.root12
    Subscriber.objects.bulk_create(rows, batch_size=1000)
    AreaPopulation.objects.bulk_create([
        AreaPopulation(division_code=code.ljust(12, "0"), population=thousands * 1000, year=2020,
                       source=POPULATION_SOURCE, is_synthetic=True)
        for code, thousands in _populations(p).items()])
    ChannelConfig.objects.bulk_create([
        ChannelConfig(channel="sms", name="短信网关（示例，未接入）", enabled=False, signature=f"【{p.department('emergency')}】",
                      rate_per_second=200, batch_size=200, division_code=city, is_synthetic=True),
        ChannelConfig(channel="broadcast", name="应急广播平台（示例，未接入）", enabled=False,
                      division_code=city, is_synthetic=True),
        ChannelConfig(channel="email", name="邮件（示例，未接入）", enabled=False, smtp_host="",
                      mail_from="yujing@example.invalid", division_code=city, is_synthetic=True),
    ])
    return len(rows)


def _users():
    p = profile.current()
    slots = {p.username(slot): slot for slot in ("duty", "city", "commander")}
    return {slots[u.username]: u for u in User.objects.filter(username__in=list(slots))}


def _publish(warning, users):
    warning = services.transition(users["duty"], warning, "submit")
    warning = services.transition(users["city"], warning, "approve", "同意（示例）")
    warning = services.transition(users["commander"], warning, "sign", "同意发布（示例）")
    return services.transition(users["duty"], warning, "publish")


def _simulate_outcomes(warning, rng: random.Random) -> None:
    """Simulated SMS results for the demo (no gateway): most delivered, a few failed."""
    now = timezone.now()
    rows = list(Delivery.objects.filter(warning=warning, channel="sms", status="queued").values_list("id", flat=True))
    delivered, failed, sent = [], [], []
    for pk in rows:
        roll = rng.random()
        (failed if roll < 0.02 else sent if roll < 0.07 else delivered).append(pk)
    Delivery.objects.filter(id__in=delivered).update(status="delivered", attempts=1, sent_at=now, delivered_at=now)
    Delivery.objects.filter(id__in=sent).update(status="sent", attempts=1, sent_at=now)
    Delivery.objects.filter(id__in=failed).update(status="failed", attempts=1, last_error="网关拒收：空号（示例）")


def _base(now, **fields) -> dict:
    data = {"effective": now - dt.timedelta(hours=1), "expires": now + dt.timedelta(days=2),
            "sender_name": profile.current().department("emergency"), "contact": f"{profile.current().phone_area}-12345（示例）", "is_synthetic": True,
            "channels": ["sms", "web", "inapp"]}  # the demo has no broadcast platform: not ticked (the form would not offer it)
    data.update(fields)
    return data


@demo_step(61, "预警信息（示例）")
def load_warnings() -> int:
    if Warning.objects.filter(is_synthetic=True).exists():
        return 0
    users = _users()
    rng = random.Random(SEED + 61)
    now = timezone.now().replace(microsecond=0)
    ChannelConfig.objects.filter(channel="sms").update(enabled=True, endpoint="http://127.0.0.1:9/sms")
    duty = users["duty"]
    p = profile.current()
    spec = p.demo["warnings"]
    focus, seat = profile.focus(p), profile.seat(p)
    others = [u for u in p.units if u not in (focus, seat, profile.second(p))]
    rain = services.create_warning(duty, _base(
        now, event_type="natural.meteorological", event="暴雨", level=3, area_desc=f"{focus.short_name}全境（示例）",
        area_codes=[focus.code12], description=f"示例：受低涡影响，预计未来24小时{focus.short_name}将出现50毫米以上降雨，局地100毫米以上。",
        instruction="1. 停止户外集体活动；2. 低洼地带、河道沿岸人员做好转移准备；3. 注意防范山洪、泥石流和城市内涝。"))
    rain = _publish(rain, users)
    _simulate_outcomes(rain, rng)
    upgrade = services.derive_warning(duty, rain, "upgrade", {
        "level": 2, "description": f"示例：降雨持续，{focus.short_name}部分乡镇累计雨量已超过100毫米，预计仍将持续12小时。",
        "instruction": "1. 立即转移危险区域群众；2. 停课停工停业；3. 远离河道、水库和山洪沟道。"})
    upgrade = _publish(upgrade, users)
    _simulate_outcomes(upgrade, rng)

    leak = services.create_warning(duty, _base(
        now, event_type="accident.hazchem", event="危险化学品泄漏", level=2, area_desc=f"{p.demo['enterprises']['park']}周边3公里（示例）",
        area_codes=[], circle_lon=spec["leak_centre"][0], circle_lat=spec["leak_centre"][1], circle_radius_km=3,
        description=f"示例：园区内一企业储罐发生{spec['leak_chemical']}泄漏，现场正在处置。",
        instruction="1. 周边3公里内居民关闭门窗、留在室内；2. 听从现场指挥撤离；3. 出现不适立即就医。"))
    leak = _publish(leak, users)
    _simulate_outcomes(leak, rng)
    lift = services.derive_warning(duty, leak, "lift", {"description": "示例：泄漏已处置完毕，环境监测正常，解除危险化学品泄漏橙色预警。"})
    _publish(lift, users)

    wind = services.create_warning(duty, _base(
        now, event_type="natural.meteorological", event="大风", level=4, area_desc=f"{seat.short_name}、{others[-1].short_name}（示例）",
        area_codes=[seat.code12, others[-1].code12], expires=now + dt.timedelta(days=1),
        description=f"示例：预计未来24小时{seat.short_name}、{others[-1].short_name}将出现6级以上大风，阵风8级。",
        instruction="1. 加固广告牌、临时搭建物；2. 高空作业暂停；3. 行人注意避开高大建筑物。"))
    _simulate_outcomes(_publish(wind, users), rng)

    slide = services.create_warning(duty, _base(
        now, event_type="natural.geological", event="地质灾害", level=4, area_desc=f"{spec['slide_area']}（示例）",
        area_codes=[], area_polygon=spec["slide_polygon"],
        description=f"示例：连续降雨后{spec['slide_area']}地面塌陷风险升高。",
        instruction="1. 远离采空区塌陷坑和裂缝；2. 发现地面开裂、房屋变形立即报告。"))
    _simulate_outcomes(_publish(slide, users), rng)
    ChannelConfig.objects.filter(channel="sms").update(enabled=False, endpoint="")
    _import_demo_cap(now)
    return Warning.objects.filter(is_synthetic=True).count()


def _import_demo_cap(now) -> None:
    """An incoming CAP alert from the (synthetic) city meteorological observatory."""
    p = profile.current()
    others = [u for u in p.units if u not in (profile.focus(p), profile.seat(p), profile.second(p))]
    hot = f"{others[1].short_name}、{others[2].short_name}"
    message = WarningMessage(
        sender_code=f"{p.root}41600000", sender_name=f"{p.name}气象台（示例）", category="Met", event="高温", level=3,
        sent=now - dt.timedelta(minutes=30), effective=now - dt.timedelta(minutes=30), expires=now + dt.timedelta(days=1),
        areas=[WarningArea(f"{hot}（示例）", [others[1].code, others[2].code])],
        description=f"示例：预计未来24小时{hot}最高气温将升至37℃以上。",
        instruction="1. 避免午后高温时段户外活动；2. 注意防暑降温；3. 户外作业人员缩短连续工作时间。")
    import_cap(build_cap(message), source="feed", source_name=f"{p.name}气象台（示例订阅源）", synthetic=True)


@demo_step(62, "县区预警与外部预警（示例）")
def load_county_warning_and_feeds() -> int:
    """The focus unit's (Fuxin: 彰武县) own warning drafted by its duty room and submitted, waiting
    for the county's review (so the county's list has its work), and the city observatory's alert
    for it received as CAP. No CAP feed is entered: the demo fetches nothing, and a feed is only
    its real address."""
    p = profile.current()
    focus = profile.focus(p)
    if Warning.objects.filter(is_synthetic=True, division_code=focus.code12).exists():
        return 0
    now = timezone.now().replace(microsecond=0)
    duty_zw = User.objects.filter(username=p.username("focus_duty")).first()
    made = 0
    if duty_zw is not None:
        draft = services.create_warning(duty_zw, _base(
            now, event_type="natural.meteorological", event="大风", level=4, area_desc=f"{focus.short_name}{p.demo['warnings']['county_area']}（示例）",
            area_codes=[focus.code12], sender_name=profile.bureau(p, focus), channels=["web", "inapp"],
            description=f"示例：预计未来24小时{focus.short_name}北部将出现6级以上大风，阵风7至8级，局地伴有扬沙。",
            instruction="1. 加固设施大棚和临时搭建物；2. 停止高空和野外用火作业；3. 减少外出。"))
        services.transition(duty_zw, draft, "submit")
        made += 1
    message = WarningMessage(
        sender_code=f"{p.root}41600000", sender_name=f"{p.name}气象台（示例）", category="Met", event="森林火险", level=3,
        sent=now - dt.timedelta(minutes=50), effective=now - dt.timedelta(minutes=50), expires=now + dt.timedelta(days=2),
        areas=[WarningArea(f"{focus.short_name}（示例）", [focus.code])],
        description=f"示例：近期{focus.short_name}气温偏高、湿度偏低，森林火险气象等级较高。",
        instruction="1. 严禁野外用火；2. 加强林区巡护；3. 发现火情立即报告。")
    import_cap(build_cap(message), source="feed", source_name=f"{p.name}气象台（示例订阅源）", synthetic=True)
    return made + 1
