"""Demo incidents of different types and grades with their report chains, entered through the
real services (timeline, deadlines, receipts): one escalated from the profile's focus unit
(Fuxin: 彰武县) to the city, one overdue, one closed. All synthetic ("示例" in the titles)."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.utils import timezone

from yingji.accounts.models import User
from yingji.demo import profile
from yingji.demo.places import point_in_county, township_of
from yingji.demo.steps import SEED, demo_step

from .models import Incident
from .services import acknowledge_receipt, close_incident, file_report, log_entry, take_call

ART12 = {
    "unit_overview": "示例企业（合成数据），从业人员约80人",
    "time_place_scene": "见事件基本情况",
    "brief_course": "现场人员发现险情后立即报告",
    "casualties_and_loss": "见伤亡与损失数字",
    "measures_taken": "已组织现场处置，相关部门已赶赴现场",
    "other_matters": "本条为合成示例数据",
}


def _token(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128)))


def _call(user, rng, county, minutes_ago, title, type_code, description, **figures):
    now = timezone.now()
    lon, lat = point_in_county(rng, county)
    data = {"client_token": _token(rng), "title": title, "type_code": type_code, "description": description,
            "received_at": now - dt.timedelta(minutes=minutes_ago),
            "occurred_at": now - dt.timedelta(minutes=minutes_ago + 12), "lon": lon, "lat": lat,
            "division_code": township_of(lon, lat, county), "source": rng.choice(["phone", "enterprise", "public"]),
            "caller_name": "报告人（示例）", "caller_phone": profile.mobile(profile.current(), "139", rng.randint(1000, 9999)),
            "address": f"示例地点{rng.randint(1, 99)}号", "is_synthetic": True, **figures}
    incident, _ = take_call(user, data)
    return incident


def _report(user, incident, kind, minutes_after, upward=False, **figures):
    at = incident.received_at + dt.timedelta(minutes=minutes_after)
    return file_report(user, incident, kind, {**ART12, "issuer": "带班领导（示例）", "report_at": at, **figures},
                       submit_upward=upward)


@demo_step(35, "突发事件（示例报告链）")
def load_incidents() -> int:
    if Incident.objects.filter(is_synthetic=True).exists():
        return 0
    p = profile.current()
    city = User.objects.filter(username=p.username("duty")).first()
    county = User.objects.filter(username=p.username("focus_duty")).first()
    if city is None or county is None:
        return 0
    rng = random.Random(SEED + 35)
    focus, seat, second = profile.focus(p), profile.seat(p), profile.second(p)
    others = [u for u in p.units if u not in (focus, seat, second)]
    gas, waterlogged = others[-1], others[-2]
    # 1. 彰武县: hazchem leak, 首报 sent up to the city, 续报 raises the grade to 较大事故 (still to sign).
    leak = _call(county, rng, focus.code, 50, f"{focus.short_name}示例化工企业储罐泄漏（示例）", "accident.hazchem",
                 "储罐法兰泄漏并起火，现场有人员受伤", injuries=4)
    log_entry(county, leak, "call", f"已电话报告{p.department('emergency')}值班室（示例）", at=leak.received_at + dt.timedelta(minutes=12),
              complete_phone_report=True)
    _report(county, leak, "first", 30, upward=True, deaths=1, injuries=4, direct_loss_yuan="800000")
    _report(county, leak, "follow_up", 45, upward=True, deaths=3, serious_injuries=2, injuries=5,
            direct_loss_yuan="3500000")
    first_receipt = leak.reports.get(kind="first").receipts.get()
    acknowledge_receipt(city, first_receipt)
    # 2. 海州区: road traffic accident, full chain and closed.
    road = _call(city, rng, seat.code, 300, f"{seat.short_name}示例路口两车相撞（示例）", "accident.road_traffic",
                 "两车相撞，1人受伤", injuries=1)
    log_entry(city, road, "call", "已电话报告（示例）", at=road.received_at + dt.timedelta(minutes=8), complete_phone_report=True)
    _report(city, road, "first", 40, injuries=1)
    _report(city, road, "final", 200, injuries=1, direct_loss_yuan="60000")
    close_incident(city, road, "道路已恢复通行（示例）")
    # 3. 阜新蒙古族自治县: forest fire received 3 hours ago, nothing reported — overdue.
    _call(city, rng, second.code, 180, f"{second.short_name}示例林地火情（示例）", "natural.forest_grassland_fire",
          "群众报告山坡林地起火，过火面积待核实", affected_population=120)
    # 4. 细河区: gas explosion received 6 minutes ago — countdowns running.
    _call(city, rng, gas.code, 6, f"{gas.short_name}示例小区燃气爆燃（示例）", "accident.utilities",
          "居民楼燃气爆燃，2人被困", trapped=2, injuries=1)
    # 5. 清河门区: waterlogging, 首报 filed.
    flood = _call(city, rng, waterlogged.code, 90, f"{waterlogged.short_name}示例强降雨内涝（示例）", "natural.flood",
                  "强降雨致低洼处积水，转移群众", relocated=35, affected_population=600)
    log_entry(city, flood, "call", "已电话报告（示例）", at=flood.received_at + dt.timedelta(minutes=15), complete_phone_report=True)
    _report(city, flood, "first", 50, relocated=35, affected_population=600)
    return Incident.objects.filter(is_synthetic=True).count()

