"""Demo steps 20–26: the profile's emergency resources (Fuxin's with the counts of the Fuxin plan,
reference/plans/fuxin-and-liaoning-2022.md §5; names and places from the profile's
[demo.resources]). Everything is synthetic (is_synthetic=True,
"示例" in names), seeded, placed inside the real county boundaries; ledger dates run over the
year before the day the demo is loaded."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from yingji.demo import profile
from yingji.demo.places import point_in_county, township_of
from yingji.demo.steps import SEED, demo_step
from yingji.geo.townships import townships_of
from yingji.regions.models import Division
from yingji.rules.shelters import effective_capacity

from .models import (EXPERT_CATEGORIES, OFFICER_ROLES, SHELTER_FACILITIES, Equipment, Expert, ExpertConsultation,
                     InformationOfficer, Material, ProtectionTarget, RescueTeam, Shelter, StockMovement, Warehouse)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "建国志强海军明华丽娟永刚德胜春玲秀英晓东文博立新红梅宏伟玉兰雪峰振华淑珍广平国庆金山"


def _rng(n: int) -> random.Random:
    return random.Random(SEED + n)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _mobile(rng: random.Random) -> str:
    return profile.random_mobile(profile.current(), rng)


def _name(code: str) -> str:
    return profile.current().unit(code).short_name


def _spec() -> dict:
    return profile.current().demo["resources"]


def _place(rng: random.Random, code: str, division: str | None = None) -> dict:
    lon, lat = point_in_county(rng, code)
    return {"lon": lon, "lat": lat, "division_code": division or township_of(lon, lat, code), "is_synthetic": True}


def _towns(p) -> list:
    """The townships of the profile (of every county, or the units themselves of a county profile)."""
    return townships_of(p.root) if p.level == "county" else [t for u in p.units for t in townships_of(u.code)]


# ----------------------------------------------------------------------------- teams
def _team(rng, name, category, level, code6, specialties, headcount, division=None, parent=""):
    return RescueTeam(name=name, category=category, level=level, specialties="、".join(specialties), headcount=headcount,
                      parent_unit=parent, leader=_person(rng), leader_phone=_mobile(rng),
                      duty_phone=f"{profile.current().phone_area}-{rng.randint(2000000, 3999999)}", readiness=rng.choice(["standby"] * 8 + ["training", "resting"]),
                      equipment=rng.choice(["抢险救援车、破拆工具组、照明设备", "冲锋舟、救生衣、排涝泵", "侦检仪、堵漏工具、防化服",
                                            "风力灭火机、二号工具、对讲机", "卫星电话、便携基站、无人机"]),
                      address=f"{_name(code6)}示例路{rng.randint(1, 200)}号", **_place(rng, code6, division))


@demo_step(20, "救援队伍")
def load_teams() -> int:
    if RescueTeam.objects.filter(is_synthetic=True).exists():
        return 0
    rng = _rng(20)
    p = profile.current()
    city, seat, fire = p.root12, profile.seat(p).code, p.department("fire")
    park = p.demo["enterprises"]["park_unit"]
    rows = [_team(rng, f"{p.name}示例{_spec()['fire_team']}", "comprehensive", "city", seat, ["综合救援", "危化", "水域"], 320,
                  division=city, parent=fire)]
    # one comprehensive team per unit, and one more in the park (Fuxin: 阜蒙县 has two, one in the fluorine park)
    county_codes = [u.code for u in p.units] + [park]
    for i, code in enumerate(county_codes):
        suffix = f"{_spec()['park_station']}示例消防救援站" if i == len(p.units) else "示例消防救援大队"
        rows.append(_team(rng, f"{_name(code)}{suffix}", "comprehensive", "county", code, ["综合救援", "危化"], rng.randint(40, 90),
                          division=code.ljust(12, "0"), parent=fire))
    rows.append(_team(rng, f"{p.name}示例{_spec()['mine_team']}", "professional", "city", seat, ["矿山", "危化"], 85, division=city))
    rows.append(_team(rng, f"{p.name}示例危化品应急救援队", "professional", "city", park, ["危化"], 60, division=city))
    professional = [("防汛抢险", ["防汛抗旱", "水域"]), ("森林消防", ["森林草原防灭火"]), ("电力抢修", ["电力"]),
                    ("通信保障", ["通信"]), ("医疗救护", ["医疗"]), ("燃气抢修", ["燃气"]), ("供水抢修", ["供水排水"]),
                    ("道路抢通", ["道路抢通"]), ("地震地质灾害救援", ["地震地质"]), ("非煤矿山救援", ["矿山"]), ("工贸救援", ["工贸"])]
    for i, (word, specialties) in enumerate(professional):
        code = p.units[i % len(p.units)].code
        rows.append(_team(rng, f"{_name(code)}示例{word}队", "professional", "county", code, specialties, rng.randint(20, 60),
                          division=code.ljust(12, "0")))
    towns = _towns(p)
    for i in range(101):
        town = towns[i % len(towns)]
        code6 = town.code if p.level == "county" else town.code[:6]
        word = ["综合应急", "森林防火扑火", "防汛抢险"][(i // len(towns)) % 3]
        nth = "" if i < 3 * len(towns) else str(i // (3 * len(towns)) + 1)  # a county profile has few townships
        rows.append(_team(rng, f"{town.name}示例{word}兼职{nth}队", "part_time", "township", code6,
                          ["森林草原防灭火"] if "森林" in word else (["防汛抗旱"] if "防汛" in word else ["综合救援"]),
                          rng.randint(15, 40), division=town.code, parent=f"{town.name}人民政府"))
    for i, word in enumerate(["蓝天", "绿舟", "红十字", "志愿", "山地", "水上"]):
        code = p.units[i % len(p.units)].code
        rows.append(_team(rng, f"示例{word}救援队", "social", "county", code, ["水域", "综合救援"] if word == "水上" else ["综合救援"],
                          rng.randint(12, 50), division=code.ljust(12, "0"), parent="社会组织"))
    for code in (profile.second(p).code, profile.focus(p).code):
        rows.append(_team(rng, f"{_name(code)}示例民兵应急连", "military", "county", code, ["防汛抗旱", "森林草原防灭火"], 100,
                          division=code.ljust(12, "0"), parent=f"{_name(code)}人民武装部"))
    RescueTeam.objects.bulk_create(rows, batch_size=500)
    return len(rows)


# ----------------------------------------------------------------------------- experts
SPECIALTIES = {"hazchem": ["化工工艺安全", "危化品储运", "泄漏应急处置"], "mining": ["瓦斯防治", "矿井通风", "冲击地压"],
               "industry": ["冶金安全", "粉尘防爆", "有限空间"], "fire": ["灭火救援指挥", "建筑火灾", "化工火灾"],
               "flood": ["水文预报", "堤防抢险", "山洪防治"], "earthquake": ["地震监测", "地质灾害评估", "房屋抗震"],
               "forest_fire": ["林火行为", "扑火指挥", "防火隔离带"], "weather": ["短临预报", "强对流天气", "气象服务"],
               "medical": ["急诊急救", "中毒救治", "卫生防疫"], "transport": ["道路运输安全", "桥梁检测", "交通组织"],
               "utilities": ["电网调度", "应急通信", "供水安全"], "management": ["应急预案", "法律法规", "舆情应对"]}


@demo_step(21, "应急专家")
def load_experts() -> int:
    if Expert.objects.filter(is_synthetic=True).exists():
        return 0
    rng = _rng(21)
    p = profile.current()
    employers = _spec()["employers"]
    rows = []
    for index in range(216):
        category, _ = EXPERT_CATEGORIES[index % len(EXPERT_CATEGORIES)]
        rows.append(Expert(
            name=f"{_person(rng)}（示例）", category=category, specialties="、".join(rng.sample(SPECIALTIES[category], 2)),
            title=rng.choice(["senior", "associate", "associate", "intermediate"]), employer=rng.choice(employers),
            level=rng.choice(["province", "city", "city", "city", "county"] + (["national"] if index % 40 == 0 else [])),
            phone=_mobile(rng), availability=rng.choice(["available"] * 6 + ["appointment", "unavailable"]),
            division_code=p.root12, is_synthetic=True))
    Expert.objects.bulk_create(rows, batch_size=500)
    experts = list(Expert.objects.filter(is_synthetic=True).order_by("pk"))
    now = timezone.now()
    kinds = [k for k, _ in ExpertConsultation.KINDS]
    topics = [_spec()["park_topic"], "汛期形势会商", "森林防火形势研判", "重大危险源专项检查", "危化品泄漏处置咨询",
              "应急预案评审", "矿山隐患排查", "地震趋势会商", "强降雨防御会商", "有限空间作业事故处置"]
    consults = [ExpertConsultation(expert=rng.choice(experts), consulted_at=now - dt.timedelta(days=rng.randint(1, 365), hours=rng.randint(0, 23)),
                                   kind=rng.choice(kinds), topic=f"{rng.choice(topics)}（示例）", requested_by=p.department("emergency"),
                                   outcome="提出处置意见，已采纳（示例）", division_code=p.root12, is_synthetic=True) for _ in range(150)]
    ExpertConsultation.objects.bulk_create(consults, batch_size=500)
    return len(rows) + len(consults)


# ----------------------------------------------------------------------------- warehouses, catalogue, ledger
CATALOGUE = [  # code, name, category, unit, spec, min_stock, shelf_life_days
    ("ZP-001", "单帐篷", "shelter", "顶", "12 m²", 200, None), ("ZP-002", "棉帐篷", "shelter", "顶", "12 m² 加厚", 200, None),
    ("ZP-003", "折叠床", "shelter", "张", "单人", 300, None), ("ZP-004", "场地照明灯", "shelter", "套", "LED 200W", 20, None),
    ("ZP-005", "移动厕所", "shelter", "座", "单体", 10, None), ("SH-001", "棉被", "living", "床", "2.0×2.3 m", 500, None),
    ("SH-002", "毛毯", "living", "条", "1.5×2.0 m", 500, None), ("SH-003", "睡袋", "living", "个", "-15℃", 300, None),
    ("SH-004", "棉大衣", "living", "件", "均码", 300, None), ("SH-005", "方便食品", "living", "箱", "24 份/箱", 200, 270),
    ("SH-006", "饮用水", "living", "箱", "550 ml×24", 300, 540), ("SH-007", "压缩饼干", "living", "箱", "5 kg", 100, 730),
    ("SH-008", "应急照明手电", "living", "支", "充电式", 200, None), ("SH-009", "炊事帐篷及灶具", "living", "套", "50 人", 5, None),
    ("SH-010", "折叠桌椅", "living", "套", "1 桌 4 椅", 50, None), ("JS-001", "救生衣", "lifesaving", "件", "成人", 300, None),
    ("JS-002", "救生圈", "lifesaving", "个", "2.5 kg", 100, None), ("JS-003", "抛投器", "lifesaving", "套", "气动", 10, None),
    ("JS-004", "救生绳", "lifesaving", "根", "30 m", 100, None), ("JS-005", "担架", "lifesaving", "副", "折叠", 50, None),
    ("QX-001", "编织袋", "flood", "条", "50×80 cm", 20000, None), ("QX-002", "麻袋", "flood", "条", "60×100 cm", 5000, None),
    ("QX-003", "土工布", "flood", "m²", "200 g/m²", 5000, None), ("QX-004", "防汛铁锹", "flood", "把", "尖锹", 500, None),
    ("QX-005", "钢丝笼", "flood", "个", "1×1×1 m", 200, None), ("QX-006", "吸水膨胀袋", "flood", "个", "40×60 cm", 1000, 1095),
    ("QX-007", "移动式挡水板", "flood", "m", "高 0.8 m", 100, None), ("QX-008", "潜水泵", "flood", "台", "50 m³/h", 20, None),
    ("QX-009", "木桩", "flood", "根", "2 m", 1000, None), ("QX-010", "防汛雨衣雨靴", "flood", "套", "均码", 300, None),
    ("SL-001", "风力灭火机", "fire", "台", "6MF-30", 50, None), ("SL-002", "二号扑火工具", "fire", "把", "标准", 300, None),
    ("SL-003", "背负式水枪", "fire", "个", "20 L", 100, None), ("SL-004", "阻燃服", "fire", "套", "均码", 200, None),
    ("SL-005", "油锯", "fire", "台", "汽油", 20, None), ("SL-006", "扑火头盔", "fire", "顶", "标准", 200, None),
    ("FH-001", "防化服", "protection", "套", "二级", 50, None), ("FH-002", "正压式空气呼吸器", "protection", "套", "6.8 L", 30, None),
    ("FH-003", "防毒面具", "protection", "个", "全面罩", 200, None), ("FH-004", "安全帽", "protection", "顶", "工程塑料", 500, None),
    ("FH-005", "防护手套", "protection", "副", "耐酸碱", 500, 1095), ("FH-006", "反光背心", "protection", "件", "均码", 500, None),
    ("DL-001", "便携式发电机", "power_comm", "台", "5 kW", 20, None), ("DL-002", "对讲机", "power_comm", "部", "数字", 100, None),
    ("DL-003", "卫星电话", "power_comm", "部", "天通", 10, None), ("DL-004", "移动电源", "power_comm", "个", "20000 mAh", 200, None),
    ("DL-005", "应急广播喇叭", "power_comm", "个", "手持", 50, None), ("YL-001", "急救包", "medical", "个", "家庭型", 300, 1095),
    ("YL-002", "医用口罩", "medical", "盒", "50 只", 500, 730), ("YL-003", "消毒液", "medical", "桶", "5 L 含氯", 100, 365),
    ("YL-004", "一次性防护服", "medical", "套", "医用", 300, 1095), ("YL-005", "体温计", "medical", "支", "红外", 50, None),
    ("YL-006", "喷雾消毒器", "medical", "台", "背负式 16 L", 30, None), ("WH-001", "吸附棉", "hazchem", "kg", "化学品通用", 500, None),
    ("WH-002", "堵漏工具组", "hazchem", "套", "木楔/气垫", 10, None), ("WH-003", "中和剂", "hazchem", "kg", "碱性（氢氟酸）", 500, 730),
    ("WH-004", "围油栏", "hazchem", "m", "WGJ600", 200, None), ("WH-005", "有毒气体检测仪", "hazchem", "台", "四合一", 20, None),
    ("WH-006", "洗消帐篷", "hazchem", "顶", "公众洗消", 2, None),
]


def _warehouses(p) -> list[tuple[str, str, str, str, str | None]]:
    """code, name, level, unit, division of the profile's relief warehouses (the first is the city's)."""
    rows = []
    for code, level, unit in _spec()["warehouses"]:
        owner = p.name if level == "city" else _name(unit)
        rows.append((code, f"{owner}示例救灾物资储备库", level, unit, p.root12 if level == "city" else None))
    return rows


@demo_step(22, "储备库、物资目录与台账")
def load_stock() -> int:
    if Warehouse.objects.filter(is_synthetic=True).exists():
        return 0
    rng = _rng(22)
    p = profile.current()
    warehouses = []
    for code, name, level, county, division in _warehouses(p):
        place = _place(rng, county, division or county.ljust(12, "0"))
        owner = p.department("emergency") if level == "city" else profile.bureau(p, p.unit(county), short=True)
        warehouses.append(Warehouse(code=code, name=name, level=level, kind="relief", owner_unit=owner,
                                    address=f"{_name(county)}示例仓储路{rng.randint(1, 99)}号", area_m2=Decimal(5000 if level == "city" else rng.randint(800, 2000)),
                                    manager=_person(rng), manager_phone=_mobile(rng), **place))
    Warehouse.objects.bulk_create(warehouses)
    materials = [Material(code=c, name=n, category=cat, unit=u, spec=s, min_stock=Decimal(m), shelf_life_days=life,
                          division_code=p.root12, is_synthetic=True) for c, n, cat, u, s, m, life in CATALOGUE]
    Material.objects.bulk_create(materials)
    lines = _ledger(rng, list(Warehouse.objects.filter(is_synthetic=True).order_by("pk")),
                    list(Material.objects.filter(is_synthetic=True).order_by("pk")))
    return len(warehouses) + len(materials) + lines


def _ledger(rng: random.Random, warehouses: list[Warehouse], materials: list[Material]) -> int:
    """A year of movements, simulated so that stock never goes negative."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)
    tz = timezone.get_current_timezone()
    balance: dict[tuple[int, int, str], Decimal] = {}
    expiry: dict[tuple[int, int, str], dt.date | None] = {}
    rows: list[StockMovement] = []
    pairs: list[tuple[int, int]] = []
    signers = [_person(rng) for _ in range(12)]

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.choice((0, 15, 30, 45))), tzinfo=tz)

    def add(w, m, kind, qty, delta, batch, day, other=None, exp=None, **extra):
        rows.append(StockMovement(warehouse=w, material=m, kind=kind, quantity=qty, delta=delta, batch=batch,
                                  expiry_date=exp, other_warehouse=other, signer=rng.choice(signers), occurred_at=at(day),
                                  division_code=w.division_code, is_synthetic=True, **extra))
        key = (w.pk, m.pk, batch)
        balance[key] = balance.get(key, Decimal(0)) + delta
        if exp:
            expiry[key] = exp
        return len(rows) - 1

    for w in warehouses:
        city = w.level == "city"
        stocked = materials if city else rng.sample(materials, 40)
        for m in stocked:
            factor = Decimal(3) if city else Decimal(1)
            qty = (m.min_stock * factor * Decimal(rng.choice(("1.2", "1.5", "2.0", "0.6")))).quantize(Decimal(1)) or Decimal(5)
            day = start + dt.timedelta(days=rng.randint(0, 20))
            batch = f"{day:%Y%m}-{m.code}"
            exp = day + dt.timedelta(days=m.shelf_life_days) if m.shelf_life_days else None
            if exp and rng.random() < 0.25:  # some batches close to expiry, to show the warning list
                exp = today + dt.timedelta(days=rng.randint(-5, 40))
            add(w, m, "in", qty, qty, batch, day, exp=exp, counterparty="年度采购（示例）")
    keys = list(balance)
    for week in range(52):
        day0 = start + dt.timedelta(days=28 + week * 6)
        for _ in range(rng.randint(68, 82)):
            key = rng.choice(keys)
            w = next(x for x in warehouses if x.pk == key[0])
            m = next(x for x in materials if x.pk == key[1])
            have = balance[key]
            day = min(today, day0 + dt.timedelta(days=rng.randint(0, 5)))
            roll = rng.random()
            if roll < 0.45 and have > 2:
                qty = (have * Decimal(rng.choice(("0.05", "0.1", "0.2")))).quantize(Decimal(1)) or Decimal(1)
                add(w, m, "out", qty, -qty, key[2], day, exp=expiry.get(key), counterparty="示例乡镇受灾群众安置",
                    reference=f"示例事件{week:02d}")
                if m.category in ("shelter", "living", "lifesaving") and rng.random() < 0.5:
                    back = (qty * Decimal("0.6")).quantize(Decimal(1))
                    if back > 0:
                        add(w, m, "recover", back, back, key[2], min(today, day + dt.timedelta(days=3)), exp=expiry.get(key),
                            counterparty="安置点撤收回收")
                        add(w, m, "disinfect", back, Decimal(0), key[2], min(today, day + dt.timedelta(days=5)), exp=expiry.get(key))
            elif roll < 0.65 and have > 10 and w.level == "city":
                target = rng.choice(warehouses[1:])
                qty = (have * Decimal("0.1")).quantize(Decimal(1))
                out = add(w, m, "transfer", qty, -qty, key[2], day, other=target, exp=expiry.get(key), counterparty=target.name)
                into = add(target, m, "transfer", qty, qty, key[2], day, other=w, exp=expiry.get(key), counterparty=w.name)
                pairs.append((out, into))
                keys.append((target.pk, m.pk, key[2]))
            elif roll < 0.72 and have > 20:
                qty = Decimal(rng.randint(1, 3))
                add(w, m, "scrap", qty, -qty, key[2], day, exp=expiry.get(key), note="破损报废（示例）")
            else:
                qty = (m.min_stock * Decimal("0.3")).quantize(Decimal(1)) or Decimal(5)
                batch = f"{day:%Y%m}-{m.code}"
                exp = day + dt.timedelta(days=m.shelf_life_days) if m.shelf_life_days else None
                add(w, m, "in", qty, qty, batch, day, exp=exp, counterparty="补充采购（示例）")
                keys.append((w.pk, m.pk, batch))
    StockMovement.objects.bulk_create(rows, batch_size=1000)
    updates = []
    for out, into in pairs:
        rows[out].paired_id = rows[into].pk
        rows[into].paired_id = rows[out].pk
        updates += [rows[out], rows[into]]
    StockMovement.objects.bulk_update(updates, ["paired"], batch_size=1000)
    return len(rows)


# ----------------------------------------------------------------------------- equipment
EQUIPMENT = [("vehicle", "应急指挥车", "依维柯 越野型"), ("vehicle", "应急运兵车", "宇通 35 座"), ("vehicle", "机具运输车", "东风 8 吨"),
             ("vehicle", "防灭火救援车", "森林消防型"), ("vehicle", "越野车", "丰田 4500"), ("drone", "多旋翼无人机", "大疆 M350"),
             ("drone", "固定翼测绘无人机", "纵横 CW-15"), ("pump", "移动排涝泵车", "3000 m³/h"), ("pump", "大流量抽水机", "500 m³/h"),
             ("generator", "移动应急电源车", "500 kW"), ("generator", "柴油发电机组", "100 kW"), ("comms", "卫星通信指挥车", "Ka 频段"),
             ("comms", "便携式应急通信基站", "4G/5G"), ("machinery", "挖掘机", "斗容 1.2 m³"), ("machinery", "装载机", "5 吨"),
             ("boat", "冲锋舟", "橡皮艇 6 人"), ("lighting", "移动照明灯塔", "4×1000 W")]


@demo_step(23, "大型装备")
def load_equipment() -> int:
    if Equipment.objects.filter(is_synthetic=True).exists():
        return 0
    rng = _rng(23)
    p = profile.current()
    warehouses = list(Warehouse.objects.filter(is_synthetic=True).order_by("pk"))
    rows = []
    for i in range(84):
        kind, name, spec = EQUIPMENT[i % len(EQUIPMENT)]
        w = warehouses[i % len(warehouses)] if warehouses and i % 3 == 0 else None
        if w is not None:
            place = {"lon": w.lon, "lat": w.lat, "division_code": w.division_code, "is_synthetic": True}
            owner = w.owner_unit
        else:
            code = p.units[i % len(p.units)].code
            place = _place(rng, code)
            owner = rng.choice([profile.bureau(p, p.unit(code), short=True), f"{_name(code)}示例消防救援大队",
                                f"{p.name}示例{_spec()['mine_team']}", f"{p.department('power')}（示例）"])
        rows.append(Equipment(name=f"示例{name}{i + 1:02d}", kind=kind, model_spec=spec,
                              identifier=f"{_spec()['plate']}·{rng.randint(10000, 99999)}" if kind == "vehicle" else f"ZB-{i + 1:04d}",
                              owner_unit=owner, warehouse=w, status=rng.choice(["ready"] * 7 + ["in_use", "maintenance"]),
                              keeper=_person(rng), keeper_phone=_mobile(rng), **place))
    Equipment.objects.bulk_create(rows)
    return len(rows)


# ----------------------------------------------------------------------------- shelters


@demo_step(24, "应急避难场所")
def load_shelters() -> int:
    if Shelter.objects.filter(is_synthetic=True).exists():
        return 0
    rng = _rng(24)
    p = profile.current()
    sites = _spec()["shelter_sites"]
    rows = []
    plan = [("city", code, p.root12) for code in _spec()["city_shelter_units"]] + [
        ("county", p.units[i % len(p.units)].code, None) for i in range(22)]
    for i, (level, code, division) in enumerate(plan):
        site = sites[i % len(sites)]
        host = {"广场": "square", "公园": "park", "体育": "stadium", "操场": "school", "会展": "exhibition", "人防": "civil_defence"}
        host_code = next((v for k, v in host.items() if k in site), "other")
        total = Decimal(rng.randint(40, 200) * 1000 if level == "city" else rng.randint(5, 40) * 1000)
        effective = (total * Decimal(rng.choice(("0.5", "0.6", "0.7")))).quantize(Decimal(1))
        stype = "central" if level == "city" else rng.choice(["emergency", "fixed_short", "fixed_medium"])
        facilities = rng.sample(SHELTER_FACILITIES[:12], 8) + (list(SHELTER_FACILITIES[12:]) if stype == "central" else [])
        indoor = host_code in ("stadium", "exhibition", "civil_defence")
        override = int(effective / 3) if indoor else None  # indoor halls: beds fixed by the manager
        place = _place(rng, code, division or code.ljust(12, "0"))
        rows.append(Shelter(
            name=f"{p.name if level == 'city' else _name(code)}示例{site}应急避难场所", shelter_type=stype,
            hazard="earthquake" if i % 3 else "comprehensive", level=level, space="indoor" if indoor else "outdoor",
            host=host_code, address=f"{_name(code)}示例街{rng.randint(1, 99)}号", total_area_m2=total,
            effective_area_m2=effective, capacity_override=override, capacity=effective_capacity(effective, override),
            facilities="、".join(f for f in SHELTER_FACILITIES if f in facilities), service_radius_m=2000 if stype == "central" else 500,
            manager=_person(rng), manager_phone=_mobile(rng), status="closed", occupancy=0, standardised=i < 6, **place))
    Shelter.objects.bulk_create(rows)
    return len(rows)


# ----------------------------------------------------------------------------- officers and protection targets
@demo_step(25, "基层信息员")
def load_officers() -> int:
    if InformationOfficer.objects.filter(is_synthetic=True).exists():
        return 0
    rng = _rng(25)
    rows = []
    towns = Division.objects.filter(level="township", code__startswith=profile.current().scope_prefix).order_by("code")
    combos = [["灾害信息员", "网格员"], ["气象信息员"], ["群测群防员", "灾害信息员"]]
    for town in towns:
        for j, roles in enumerate(combos):
            lon, lat = town.centroid_lon, town.centroid_lat
            cand = (round(lon + rng.uniform(-0.01, 0.01), 6), round(lat + rng.uniform(-0.01, 0.01), 6))
            if township_of(cand[0], cand[1], town.code[:6]) == town.code:
                lon, lat = cand
            rows.append(InformationOfficer(name=f"{_person(rng)}（示例）", roles="、".join(r for r in OFFICER_ROLES if r in roles),
                                           village=f"示例{'一二三'[j]}村", phone=_mobile(rng), trained=rng.random() < 0.8,
                                           division_code=town.code, lon=lon, lat=lat, is_synthetic=True))
    InformationOfficer.objects.bulk_create(rows, batch_size=500)
    return len(rows)


TARGET_WORDS = {"school": ["第{}中学", "第{}小学"], "kindergarten": ["第{}幼儿园"], "hospital": ["第{}人民医院", "中医院{}分院"],
                "elderly_care": ["第{}敬老院", "颐养中心{}"], "welfare": ["儿童福利院{}"], "crowded": ["商业广场{}", "农贸市场{}"],
                "station": ["客运站{}"]}


@demo_step(26, "重点防护目标")
def load_targets() -> int:
    if ProtectionTarget.objects.filter(is_synthetic=True).exists():
        return 0
    rng = _rng(26)
    rows = []
    units = profile.current().units
    kinds = list(TARGET_WORDS)
    for i in range(105):
        kind = kinds[i % len(kinds)]
        code = units[i % len(units)].code
        word = rng.choice(TARGET_WORDS[kind]).format(i // len(kinds) + 1)
        rows.append(ProtectionTarget(name=f"{_name(code)}示例{word}", kind=kind, population=rng.randint(50, 3000),
                                     contact=_person(rng), phone=_mobile(rng), address=f"{_name(code)}示例路{rng.randint(1, 300)}号",
                                     notes="汛期、地震时优先转移（示例）", **_place(rng, code)))
    ProtectionTarget.objects.bulk_create(rows)
    return len(rows)


@demo_step(27, "县区应急专家库")
def load_county_experts() -> int:
    """Each county's own expert pool (县级专家) and its recent consultations: the city pool above
    is filed at the city and so is not in a county bureau's list."""
    p = profile.current()
    if Expert.objects.filter(is_synthetic=True, level="county").exclude(division_code=p.root12).exists():
        return 0
    rng = _rng(27)
    kinds = [k for k, _ in ExpertConsultation.KINDS]
    topics = ["汛前隐患排查会商", "尾矿库安全评估", "乡镇应急预案评审", "冬季森林防火研判", "化工企业复产复工检查"]
    now = timezone.now()
    made = 0
    for unit in p.units:
        code, name = unit.code12, unit.name
        bureau = profile.bureau(p, unit)
        experts = []
        for index in range(6):
            category, _ = EXPERT_CATEGORIES[(index + 6) % len(EXPERT_CATEGORIES)]
            experts.append(Expert(
                name=f"{_person(rng)}（示例）", category=category, specialties="、".join(rng.sample(SPECIALTIES[category], 2)),
                title=rng.choice(["associate", "intermediate", "intermediate"]), employer=f"{bureau}（示例）",
                level="county", phone=_mobile(rng), availability=rng.choice(["available"] * 5 + ["appointment"]),
                division_code=code, is_synthetic=True))
        Expert.objects.bulk_create(experts)
        saved = list(Expert.objects.filter(is_synthetic=True, division_code=code).order_by("pk"))
        consults = [ExpertConsultation(
            expert=saved[i % len(saved)], consulted_at=now - dt.timedelta(days=rng.randint(3, 200), hours=rng.randint(0, 23)),
            kind=rng.choice(kinds), topic=f"{rng.choice(topics)}（示例）", requested_by=bureau,
            outcome="提出处置意见，已采纳（示例）", division_code=code, is_synthetic=True) for i in range(3)]
        ExpertConsultation.objects.bulk_create(consults)
        made += len(experts) + len(consults)
    return made
