"""Synthetic (合成) social mobilisation demo: social forces (three reviewed and linked to the demo's
social rescue teams, one waiting with an uninsured member), volunteers and a drill call-up with
hours served, villages with their information officers (some without: the coverage page shows
gaps), 科普 articles, reports from the public and from the field app. Everything through the
services; names and texts carry 示例 and every row is_synthetic."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.utils import timezone

from yingji.accounts.models import User
from yingji.core import records
from yingji.demo import demo_step
from yingji.demo import profile as demo_profile
from yingji.demo.places import point_in_county
from yingji.demo.steps import SEED
from yingji.preparedness.models import Drill
from yingji.regions.models import Division
from yingji.resources.models import InformationOfficer, RescueTeam
from yingji.rules.uscc import make_uscc

from . import forces, volunteers
from .models import (Article, Callup, FieldReport, ForceCapability, ForceEquipment, ForceMember, PublicReport,
                     SocialForce, Village, Volunteer)

NAMES = ["王建国", "李海燕", "张志强", "刘晓东", "陈丽华", "杨帆", "赵磊", "孙秀英", "周明", "吴静", "郑浩", "冯雪"]



def _forces(p):
    """(name, team name in the demo, unit, specialties, capabilities (specialty, range, assemble h,
    sites, hours, support)) for the profile's installation."""
    focus, second = demo_profile.focus(p), demo_profile.second(p)
    city = p.short_name
    return [
        (f"{city}蓝天救援队（示例）", "示例蓝天救援队", focus, "建筑物倒塌搜救、山地搜救、水上搜救",
         [("建筑物倒塌搜救", "local", "3", 1, 12, False), ("水上搜救", "province", "5", 1, 48, False)]),
        (f"{city}红十字应急救护队（示例）", "示例红十字救援队", second, "应急医疗救护",
         [("应急医疗救护", "local", "2", 1, 24, False)]),
        (f"{city}山地救援协会（示例）", "示例山地救援队", focus, "山地搜救",
         [("山地搜救", "local", "4", 1, 12, False)]),
    ]


def _admin() -> User:
    return User.objects.filter(username="admin").first() or User.objects.filter(is_superuser=True).first()


def _member_rows(p, rng, count, skills, insured=True):
    today = timezone.localdate()
    rows = []
    for i in range(count):
        rows.append({"name": f"{rng.choice(NAMES)}（示例）", "phone": demo_profile.mobile(p, "139", rng.randint(0, 9999)), "skills": skills,
                     "certificate": rng.choice(["红十字救护员证", "水上救援资格证", "绳索救援技术证"]),
                     "certificate_no": f"SL-{rng.randint(10000, 99999)}",
                     "certificate_expires": today + dt.timedelta(days=rng.randint(90, 900)),
                     "insurer": "示例人寿保险公司" if insured or i else "", "insurance_policy": f"YW{rng.randint(100000, 999999)}" if insured or i else "",
                     "insured_until": today + dt.timedelta(days=rng.randint(60, 360)) if insured or i else None})
    return rows


@demo_step(95, "社会应急力量（合成）")
def load_forces() -> int:
    if SocialForce.objects.filter(is_synthetic=True).exists():
        return 0
    rng = random.Random(SEED + 95)
    p = demo_profile.current()
    admin = _admin()
    made = 0
    for n, (name, team_name, unit, specialties, caps) in enumerate(_forces(p)):
        team = RescueTeam.objects.filter(name=team_name, category="social").first()
        lon, lat = (team.lon, team.lat) if team and team.lon is not None else point_in_county(rng, unit.code)
        division = team.division_code if team else unit.code12
        force = records.create_record(records.SYSTEM, SocialForce, {
            "name": name, "uscc": make_uscc("5", "2", unit.code[:6], f"MJ{n:07d}"),
            "civil_registration": f"{p.short_name[:1]}民社证字第{2019 + n}00{n}号（示例）",
            "supervisor": f"{p.name}应急管理局", "specialties": specialties, "leader": f"{rng.choice(NAMES)}（示例）",
            "leader_phone": demo_profile.mobile(p, "138", rng.randint(0, 9999)),
            "duty_phone": demo_profile.landline(p, rng.randint(2000000, 3999999)),
            "address": f"示例路{rng.randint(1, 300)}号", "division_code": division, "lon": lon, "lat": lat},
            server={"is_synthetic": True, "team": team}, note="示例数据")
        records.create_rows(records.SYSTEM, ForceMember, _member_rows(p, rng, rng.randint(16, 24), specialties.split("、")[0]),
                            server={"force": force, "is_synthetic": True}, parent=force)
        records.create_rows(records.SYSTEM, ForceEquipment, [
            {"name": "救援指挥车（示例）", "kind": "vehicle", "quantity": 1},
            {"name": "冲锋舟（示例）" if "水上" in specialties else "破拆工具组（示例）", "kind": "boat" if "水上" in specialties else "search",
             "quantity": rng.randint(2, 4)}], server={"force": force, "is_synthetic": True}, parent=force)
        for specialty, range_, hours, sites, sustain, support in caps:
            records.create_record(records.SYSTEM, ForceCapability, {
                "force": force, "specialty": specialty, "range": range_, "assemble_hours": hours, "sites": sites,
                "sustain_hours": sustain, "has_support_teams": support}, server={"is_synthetic": True},
                parent=force, derive=forces.derive_capability)
        force = forces.review(admin, force, "approve", "材料齐全，队员均已投保（示例）")
        first = force.capabilities.order_by("pk").first()
        if first.suggested_grade == 3:
            forces.record_grade(admin, first, 3, "", timezone.localdate() - dt.timedelta(days=40))
        made += 1
    # one waiting for review: a member is not insured, so it cannot be approved yet
    last = p.units[-1]
    force = records.create_record(records.SYSTEM, SocialForce, {
        "name": f"{last.short_name}志愿水上救援队（示例）", "uscc": make_uscc("5", "2", last.code[:6], "MJ0000099"),
        "supervisor": demo_profile.bureau(p, last), "specialties": "水上搜救、潜水救援", "leader": "孙秀英（示例）",
        "leader_phone": demo_profile.mobile(p, "138", 99), "duty_phone": demo_profile.landline(p, 2999999),
        "division_code": last.code12}, server={"is_synthetic": True}, note="示例数据")
    records.create_rows(records.SYSTEM, ForceMember, _member_rows(p, rng, 8, "水上搜救", insured=False),
                        server={"force": force, "is_synthetic": True}, parent=force)
    records.create_rows(records.SYSTEM, ForceEquipment, [{"name": "冲锋舟（示例）", "kind": "boat", "quantity": 2}],
                        server={"force": force, "is_synthetic": True}, parent=force)
    records.create_record(records.SYSTEM, ForceCapability, {
        "force": force, "specialty": "水上搜救", "range": "local", "assemble_hours": "3", "sites": 1, "sustain_hours": 12},
        server={"is_synthetic": True}, parent=force, derive=forces.derive_capability)
    return made + 1


@demo_step(96, "应急志愿者与召集（合成）")
def load_volunteers() -> int:
    if Volunteer.objects.filter(is_synthetic=True).exists():
        return 0
    rng = random.Random(SEED + 96)
    p = demo_profile.current()
    focus = demo_profile.focus(p)
    admin = _admin()
    skills = ["医疗救护、心理疏导", "搜救、驾驶", "物资搬运、后勤保障", "通信、信息统计", "宣传引导"]
    rows = []
    for i in range(12):
        unit = (focus, demo_profile.second(p), demo_profile.seat(p))[i % 3]
        rows.append({"name": f"{NAMES[i]}（示例）", "phone": demo_profile.mobile(p, "136", i), "skills": skills[i % len(skills)],
                     "availability": ("anytime", "weekend", "emergency")[i % 3], "training_hours": str(rng.choice([4, 8, 12, 16])),
                     "division_code": unit.code12})
    made = records.create_rows(records.SYSTEM, Volunteer, rows[:9], server={"is_synthetic": True, "state": "active"})
    made += records.create_rows(records.SYSTEM, Volunteer, rows[9:],
                                server={"is_synthetic": True, "state": "pending", "source": "portal"})
    drill = Drill.objects.filter(is_synthetic=True, division_code__startswith=focus.prefix).order_by("-held_on").first() \
        or Drill.objects.filter(is_synthetic=True).order_by("-held_on").first()
    meet = timezone.now() - dt.timedelta(days=10)
    if drill is not None:
        callup = records.create_record(admin, Callup, {
            "title": f"{drill.title}志愿者保障（示例）", "purpose": "drill", "drill": drill, "meet_at": meet,
            "place": f"{focus.name}示例广场", "needed": 4, "skills": "", "division_code": drill.division_code[:6].ljust(12, "0")},
            server={"is_synthetic": True}, note="示例数据")
        invited = volunteers.invite(admin, callup)
        for n, row in enumerate(invited):
            volunteers.answer(admin, row, n != 1, at=meet - dt.timedelta(hours=20))
            if n != 1:
                volunteers.check_in(admin, row, meet + dt.timedelta(minutes=10))
                volunteers.check_out(admin, row, meet + dt.timedelta(hours=4 + n, minutes=30))
        volunteers.close(admin, callup)
    records.create_record(admin, Callup, {
        "title": "汛期巡堤志愿者召集（示例）", "purpose": "other", "meet_at": timezone.now() + dt.timedelta(days=3),
        "place": f"{focus.name}示例河堤", "needed": 6, "skills": "搜救、驾驶", "division_code": focus.code12},
        server={"is_synthetic": True}, note="示例数据")
    return len(made) + 2


@demo_step(97, "村（社区）与灾害信息员覆盖（合成）")
def load_villages() -> int:
    if Village.objects.filter(is_synthetic=True).exists():
        return 0
    rng = random.Random(SEED + 97)
    p = demo_profile.current()
    focus = demo_profile.focus(p)
    # the focus unit's townships (a county-level profile's focus unit is a township itself)
    towns = list(Division.objects.filter(level="township", code__startswith=focus.prefix).order_by("code")[:4])
    if focus.is_township:
        towns = list(Division.objects.filter(level="township", code__in=[u.code12 for u in p.units[:4]]).order_by("code"))
    made = 0
    for t, town in enumerate(towns):
        for v in range(3):
            code = town.code[:9] + f"{201 + v:03d}"
            prone = v == 0
            village = records.create_record(records.SYSTEM, Village, {
                "name": f"{town.name}示例{'一二三'[v]}村", "kind": "village", "disaster_prone": prone,
                "population": rng.randint(800, 3200), "division_code": code}, server={"is_synthetic": True}, note="示例数据")
            made += 1
            # coverage as found in practice: most villages staffed, some not (the page lists them)
            officers = 0 if (t, v) in ((1, 2), (3, 1)) else (1 if (t, v) == (2, 0) else (2 if prone else 1))
            for k in range(officers):
                records.create_record(records.SYSTEM, InformationOfficer, {
                    "name": f"{rng.choice(NAMES)}（示例）", "roles": "灾害信息员、网格员" if k == 0 else "灾害信息员、群测群防员",
                    "village": village.name, "phone": demo_profile.mobile(p, "135", rng.randint(0, 9999)), "trained": True,
                    "division_code": code, "notes": "A岗" if k == 0 else "B岗"}, server={"is_synthetic": True}, note="示例数据")
    return made


ARTICLES = [
    ("flood", "暴雨来临前后，家庭要做好这几件事（示例）", "备好应急包，远离低洼地带，听从转移安排。",
     "一、关注预警信息，暴雨蓝色预警时检查门窗和排水。\n二、准备应急包：饮用水、食品、手电筒、常用药品、证件复印件。\n"
     "三、住在低洼地带、河道旁的居民，接到转移通知后立即转移，不要返回取物。\n四、不要在积水中行走或驾车，远离电线杆和井盖。"),
    ("earthquake", "地震发生时如何避险（示例）", "伏地、遮挡、手抓牢；震后有序撤离。",
     "室内：就近躲在坚固桌下或内墙角，保护头颈部，不要跳楼、不要乘电梯。\n室外：远离建筑物、广告牌和电线。\n"
     "震后：按疏散路线到达应急避难场所，查看本站“避难场所”栏目可找到离您最近的场所。"),
    ("fire", "森林草原防火期注意事项（示例）", "进山不带火种，发现火情立即报告。",
     "防火期内禁止野外用火、祭祀烧纸和焚烧秸秆。发现火情请拨打 119 或通过本站“我要报告”提交，注明位置。"),
    ("first_aid", "心肺复苏步骤（示例）", "判断意识、呼救、胸外按压、开放气道、人工呼吸。",
     "1. 确认环境安全，拍打双肩呼喊判断意识。\n2. 呼救并拨打 120，取自动体外除颤器。\n"
     "3. 胸外按压：两乳头连线中点，深度 5–6 厘米，频率每分钟 100–120 次。\n4. 按压 30 次后开放气道、人工呼吸 2 次，循环进行。"),
    ("hazchem", "闻到刺激性气味怎么办（示例）", "往上风向撤离，用湿毛巾捂住口鼻。",
     "发现化学品泄漏或闻到异味，立即往上风向、高处撤离，用湿毛巾捂住口鼻，不要围观。拨打 119 并说明地点。"),
]


@demo_step(98, "科普文章（合成）")
def load_articles() -> int:
    if Article.objects.filter(is_synthetic=True).exists():
        return 0
    today = timezone.localdate()
    root = demo_profile.current().root12
    rows = [{"category": c, "title": t, "summary": s, "body": b, "published": True,
             "published_on": today - dt.timedelta(days=7 * i), "division_code": root}
            for i, (c, t, s, b) in enumerate(ARTICLES)]
    return len(records.create_rows(records.SYSTEM, Article, rows, server={"is_synthetic": True}, note="示例数据"))


@demo_step(99, "群众报告与外业报送（合成）")
def load_reports() -> int:
    if PublicReport.objects.filter(is_synthetic=True).exists():
        return 0
    rng = random.Random(SEED + 99)
    p = demo_profile.current()
    focus, second = demo_profile.focus(p), demo_profile.second(p)
    lon, lat = point_in_county(rng, focus.code)
    records.create_record(records.SYSTEM, PublicReport, {
        "kind": "hazard", "description": "示例：村东小桥护栏断裂，雨天有行人落水危险。", "address": f"{focus.name}示例村东小桥",
        "lon": lon, "lat": lat, "division_code": focus.code12}, server={"is_synthetic": True}, note="示例数据")
    records.create_record(records.SYSTEM, PublicReport, {
        "kind": "clue", "description": "示例：山坡有新裂缝，下雨后有泥水流出。", "address": f"{second.name}示例山坡",
        "phone": demo_profile.mobile(p, "139", 0), "division_code": second.code12}, server={"is_synthetic": True}, note="示例数据")
    officer = User.objects.filter(username=p.username("info_officer")).first()
    if officer is not None:
        records.create_record(officer, FieldReport, {
            "kind": "loss", "title": f"示例：{focus.short_name}示例村降雨致房屋受损", "description": "两户房屋墙体开裂，已转移安置 6 人（示例）",
            "figures": {"affected_population": 40, "relocated": 6}}, server={
            "client_id": uuid.UUID(int=rng.getrandbits(128), version=4), "author": officer, "is_synthetic": True,
            "recorded_at": timezone.now() - dt.timedelta(hours=3), "content_hash": "demo", "division_code": officer.region_code},
            note="示例数据")
    return 3
