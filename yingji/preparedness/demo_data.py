"""Demo steps of the preparedness app (orders 90–92), all synthetic (合成) and labelled so: the
profile's plans (docs/profiles.md) at city, county, township and enterprise level carried through the real lifecycle
services (some in drafting or review, one overdue for filing, one overdue for its 3-year
evaluation, one revised with a readable diff, one naming a disbanded team and an empty
warehouse); a year of drills with some subjects overdue and improvement items; a bank of 240
questions, trainees, sessions, exams with results and certificates (some about to expire).
Plan kinds and department names are real; every text is written for the demo."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from yingji.accounts.models import User
from yingji.command.demo_plans import special_plan_name
from yingji.command.models import Plan as ElectronicPlan
from yingji.core.records import create_record, delete_record
from yingji.demo import profile
from yingji.demo.steps import demo_step
from yingji.regions.models import Enterprise, Organisation
from yingji.resources.models import Expert, RescueTeam, Shelter, Warehouse

from . import drills, exams, plans, training
from .demo_questions import questions
from .models import Attendance, Drill, EmergencyPlan, Question, Trainee
from .selectors import HIGH_RISK_INDUSTRIES, KEY_SCALES
from .registries import CERTIFICATES, COURSES, DRILLS, EXAM_SESSIONS, QUESTIONS, SESSIONS, TRAINEES



def _where():
    """(profile, root code, unit code -> name) of the installation."""
    p = profile.current()
    return p, p.root12, {u.code12: u.name for u in p.units}

CHAPTERS = ("总则", "组织指挥体系及职责", "预防与预警", "应急响应", "后期处置", "应急保障", "附则")


def _text(name: str, owner: str, extra: str = "") -> str:
    lines = [name, f"（{owner}，合成示例文本）"]
    for i, chapter in enumerate(CHAPTERS, start=1):
        lines.append(f"第{i}章 {chapter}")
        if chapter == "应急响应":
            lines += ["4.1 分级响应：按事件严重程度分为Ⅰ级、Ⅱ级、Ⅲ级、Ⅳ级。",
                      "4.2 先期处置：事发地县区人民政府立即组织先期处置，30分钟内电话报告。", extra or "4.3 响应终止：危险消除后由启动机关宣布。"]
        else:
            lines.append(f"{i}.1 本章规定{name.removesuffix('（示例）')}的{chapter}（示例）。")
    return "\n".join(line for line in lines if line)


def _reg(registry, user, data: dict):
    """A registry record written the way the registry writes it, marked synthetic."""
    clean = registry.clean_data({k: v for k, v in data.items() if k != "is_synthetic"})
    return create_record(user, registry.model, {**clean, "is_synthetic": True}, derive=registry.derive)


def _users() -> dict:
    """Demo users by slot: admin, city, commander, focus_admin (Fuxin: zhangwu), duty."""
    p = profile.current()
    names = {p.username(slot): slot for slot in ("admin", "city", "commander", "focus_admin", "duty")}
    return {names[u.username]: u for u in User.objects.filter(username__in=list(names))}


def _focus_prefix() -> str:
    p = profile.current()
    return profile.focus(p).prefix


def _lifecycle(users, plan, target: str, *, published: dt.datetime | None = None, filed_after_days: int = 10):
    """Carry ``plan`` through consultation, review and approval to ``target``."""
    drafter = users["focus_admin"] if plan.division_code.startswith(_focus_prefix()) else users["commander"]
    approver = users["admin"] if drafter == users["focus_admin"] else users["city"]
    p = profile.current()
    experts = list(Expert.objects.filter(is_synthetic=True).exclude(availability="unavailable")[:3])
    order = ["consulting", "reviewing", "approving", "approved", "published", "filed"]
    stop = order.index(target) + 1
    if stop >= 1:
        plan = plans.act(drafter, plan, "consult")
    if stop >= 2:
        plans.record_opinion(drafter, plan, {"source": p.department("police"), "content": "建议补充交通管制和警戒措施（示例）",
                                             "handling": "已采纳"})
        plans.record_opinion(drafter, plan, {"source": p.department("health"), "content": "建议明确医疗救治定点医院（示例）",
                                             "handling": "部分采纳"})
        plan = plans.act(drafter, plan, "review")
    if stop >= 3:
        for expert, conclusion in zip(experts, ("pass", "pass_with_changes", "pass")):
            plans.record_opinion(drafter, plan, {"expert_id": expert.pk, "conclusion": conclusion,
                                                 "content": "结构完整，响应分级清晰，建议细化保障措施（示例）"})
        plan = plans.act(drafter, plan, "submit")
    if stop >= 4:
        plan = plans.act(approver, plan, "approve", now=published - dt.timedelta(days=5) if published else None)
    if stop >= 5:
        plan = plans.act(approver, plan, "publish", now=published)
    if stop >= 6:
        plan = plans.act(drafter, plan, "file", receipt=f"{p.demo['abbr']}应急预备〔{published.year}〕{plan.pk}号（示例）",
                         now=published + dt.timedelta(days=filed_after_days))
    return plan


def _plan(users, name, kind, owner, division=None, enterprise=None, **extra):
    division = division or profile.current().root12
    drafter = users["focus_admin"] if division.startswith(_focus_prefix()) else users["commander"]
    electronic = ElectronicPlan.objects.filter(name=name).first()
    data = {"name": name, "kind": kind, "owner_unit": owner, "division_code": division, "is_synthetic": True,
            "enterprise_id": enterprise.pk if enterprise else None, "electronic_id": electronic.pk if electronic else None,
            "brief": f"{name.removesuffix('（示例）')}简明版：明确响应分级、先期处置和信息报告要求（合成示例）。",
            "response_levels": "Ⅰ级：特别重大；Ⅱ级：重大；Ⅲ级：较大；Ⅳ级：一般（启动条件见正文，示例）", **extra}
    return plans.create_plan(drafter, data, text=_text(name, owner))


@demo_step(90, "应急预案数据库（合成）")
def load_plans() -> int:
    if EmergencyPlan.objects.filter(is_synthetic=True).exists():
        return 0
    users = _users()
    if len(users) < 5:
        return 0
    now = timezone.now()
    day = dt.timedelta(days=1)
    p, CITY, COUNTIES = _where()  # noqa: N806
    emergency, water, rivers = p.department("emergency"), p.department("water"), p.demo["plans"]["rivers"]
    with transaction.atomic():
        general = _lifecycle(users, _plan(users, f"{p.name}突发事件总体应急预案（示例）", "general", p.department("government")),
                             "filed", published=now - 3 * 365 * day - 20 * day)
        hazchem = _lifecycle(users, _plan(users, special_plan_name(p, "hazchem"), "special", emergency), "filed",
                             published=now - 300 * day)
        flood = _lifecycle(users, _plan(users, special_plan_name(p, "flood_drought"), "special", water), "filed",
                           published=now - 700 * day)
        flood = plans.act(users["commander"], flood, "revise", comment="机构改革后防汛抗旱指挥部成员单位调整（示例）")
        plans.save_text(users["commander"], flood, note="按机构改革修订", text=_text(
            special_plan_name(p, "flood_drought"), water,
            f"4.3 {'、'.join(rivers[:2])}超警戒水位时，由市防汛抗旱指挥部启动Ⅲ级响应，2小时内转移危险区群众（示例）。"))
        flood = _lifecycle(users, flood, "filed", published=now - 60 * day, filed_after_days=12)
        quake = _lifecycle(users, _plan(users, special_plan_name(p, "earthquake"), "special", emergency), "published",
                           published=now - 45 * day)  # not filed: past the 20 working days
        _lifecycle(users, _plan(users, special_plan_name(p, "forest_grassland"), "special", p.department("forestry")),
                   "published", published=now - 3 * day)
        _lifecycle(users, _plan(users, f"{emergency}生产安全事故应急预案（示例）", "department", emergency),
                   "approving")
        _lifecycle(users, _plan(users, f"{p.name}特大暴雨洪涝巨灾情景应对预案（示例）", "special", emergency,
                                catastrophe=True), "reviewing")
        _plan(users, f"{p.name}重大活动安全保障专项应急预案（示例）", "special", p.department("police"))
        county = {}
        for unit in p.units:
            code, name = unit.code12, unit.name
            county[code] = _lifecycle(users, _plan(users, f"{name}突发事件总体应急预案（示例）", "general",
                                                   profile.government(p, unit), division=code), "filed",
                                      published=now - (200 + len(county) * 40) * day)
        town_code, town_name = p.demo["township_plan"]
        town_plan = f"{profile.focus(p).name if p.level == 'city' else p.name}{town_name}突发事件应急预案（示例）"
        _lifecycle(users, _plan(users, town_plan, "township",
                                f"{town_name}人民政府", division=town_code), "filed", published=now - 150 * day)
        key = list(Enterprise.objects.filter(is_synthetic=True, industry="hazchem").order_by("pk")[:3])
        for ent in key:
            Enterprise.objects.filter(pk=ent.pk).update(scale="large")
            for kind, suffix in (("enterprise_comprehensive", "生产安全事故综合应急预案"), ("enterprise_onsite", "储罐区泄漏现场处置方案")):
                _lifecycle(users, _plan(users, f"{ent.name}{suffix}（示例）", kind, ent.name, division=ent.division_code,
                                        enterprise=ent), "filed", published=now - 260 * day)
        for other in (hazchem, flood, quake):
            plans.add_relation(users["commander"], other, general, "parent", "专项预案衔接总体预案（示例）")
        for plan in county.values():
            plans.add_relation(users["commander"], general, plan, "parent", "市县两级衔接（示例）")
        _resources(users, hazchem)
        plans.sweep_triggers()
    return EmergencyPlan.objects.filter(is_synthetic=True).count()


def _resources(users, plan) -> None:
    """The 危化 plan names real registry records, a team that is later disbanded and an empty warehouse."""
    p = profile.current()
    CITY = p.root12  # noqa: N806
    for team in RescueTeam.objects.filter(is_synthetic=True, specialties__contains="危化")[:2]:
        plans.add_resource(users["commander"], plan, "team", team.pk, "危化品泄漏堵漏、洗消")
    gone = create_record(users["city"], RescueTeam, {
        "name": f"{p.name}某化工园区专职救援分队（合成，已撤销）", "category": "professional", "level": "county", "headcount": 12,
        "leader": "合成负责人", "leader_phone": profile.mobile(p, "139", 0), "duty_phone": profile.landline(p, 3999999),
        "division_code": CITY,
        "is_synthetic": True})
    plans.add_resource(users["commander"], plan, "team", gone.pk, "园区先期处置")
    delete_record(users["city"], gone, note="队伍撤销（演示数据）")
    empty = create_record(users["city"], Warehouse, {
        "code": "DEMO-EMPTY-01", "name": f"{p.demo['resources']['park_station']}应急物资储备点（合成，未补库）", "level": "county", "kind": "comprehensive",
        "area_m2": "120", "manager": "合成管理员", "manager_phone": profile.mobile(p, "139", 1), "division_code": CITY, "is_synthetic": True})
    plans.add_resource(users["commander"], plan, "warehouse", empty.pk, "防护物资储备")
    shelter = Shelter.objects.filter(is_synthetic=True).first()
    if shelter:
        plans.add_resource(users["commander"], plan, "shelter", shelter.pk, "周边群众临时安置")
    org = Organisation.objects.filter(name=p.department("environment")).first()
    if org:
        plans.add_resource(users["commander"], plan, "organisation", org.pk, "环境监测")


@demo_step(91, "应急演练（合成：近一年）")
def load_drills() -> int:
    if Drill.objects.filter(is_synthetic=True).exists():
        return 0
    users = _users()
    if len(users) < 5:
        return 0
    today = timezone.localdate()
    by_name = {plan.name: plan for plan in EmergencyPlan.objects.filter(is_synthetic=True)}
    city, duty = users["city"], users["duty"]
    p, CITY, COUNTIES = _where()  # noqa: N806
    emergency = p.department("emergency")

    def add(title, days_ago, kind="tabletop", plan=None, division=CITY, large=False, enterprise=None, state="held", **extra):
        return _reg(DRILLS, city, {
            "title": title, "kind": kind, "large": large, "plan": plan.pk if plan else None,
            "organiser": extra.pop("organiser", emergency), "enterprise": enterprise.pk if enterprise else None,
            "held_on": today - dt.timedelta(days=days_ago), "state": state, "division_code": division,
            "participant_count": 0 if state == "planned" else extra.pop("count", 60), "is_synthetic": True,
            "scenario": extra.pop("scenario", "模拟情景（合成示例）"), "participants": "相关成员单位（示例）",
            "evaluation": "" if state == "planned" else "响应迅速，协同基本顺畅，通信保障有待加强（示例）",
            "rating": "" if state == "planned" else "good", **extra})

    with transaction.atomic():
        hazchem = by_name.get(special_plan_name(p, "hazchem"))
        big = add(f"{p.name}危险化学品泄漏事故综合应急演练（示例）", 95, "comprehensive", hazchem, large=True, count=320,
                  location=f"{p.demo['enterprises']['park']}（示例）",
                  scenario=f"园区储罐区{p.demo['warnings']['leak_chemical']}泄漏并引发周边群众疏散（合成情景）")
        drills.add_improvement(duty, big, {"finding": "现场指挥部与医疗救护组通信中断约10分钟（示例）",
                                           "action": "配备卫星电话并修订通信保障章节", "owner_unit": emergency,
                                           "due_on": today - dt.timedelta(days=20), "plan_issue": True})
        item = drills.add_improvement(duty, big, {"finding": "警戒区划定偏小（示例）", "action": "按扩散模拟结果调整警戒半径",
                                                  "owner_unit": p.department("police"), "due_on": today - dt.timedelta(days=40)})
        drills.close_improvement(duty, item, "已按模拟结果调整为800米（示例）")
        drills.add_improvement(duty, big, {"finding": "洗消物资储备不足（示例）", "action": "补充洗消剂和防护服",
                                           "owner_unit": emergency, "due_on": today + dt.timedelta(days=30)})
        add(f"{p.name}防汛抗旱桌面推演（示例）", 60, "tabletop", by_name.get(special_plan_name(p, "flood_drought")), count=45)
        # drills held per unit this year: some on track, some behind (the county quota is 2)
        counts = dict(zip(COUNTIES, p.demo.get("drill_counts") or [(2, 1, 0, 2, 1, 0, 1)[i % 7] for i in range(len(COUNTIES))],
                          strict=True))
        for code, n in counts.items():
            for i in range(n):
                add(f"{COUNTIES[code]}{'防汛' if i == 0 else '森林防火'}应急演练（示例）", 30 + i * 120, "field" if i else "tabletop",
                    by_name.get(f"{COUNTIES[code]}突发事件总体应急预案（示例）"), division=code,
                    organiser=profile.bureau(p, p.unit(code)), count=80)
        for ent in Enterprise.objects.filter(is_synthetic=True, industry="hazchem", scale="large").order_by("pk")[:3]:
            onsite = by_name.get(f"{ent.name}储罐区泄漏现场处置方案（示例）")
            add(f"{ent.name}现场处置方案演练（示例）", 100 if onsite and ent.pk % 2 else 250, "special", onsite,
                division=ent.division_code, enterprise=ent, organiser=ent.name, count=35)
        key = Enterprise.objects.filter(is_synthetic=True, industry__in=HIGH_RISK_INDUSTRIES, scale__in=KEY_SCALES)
        for i, ent in enumerate(key.exclude(industry="hazchem", scale="large").order_by("pk")):
            for k in range((2, 1, 0, 2, 0)[i % 5]):  # some on track, some behind, some overdue
                add(f"{ent.name}{('综合', '专项')[k]}应急演练（示例）", 20 + 150 * k + i, ("comprehensive", "special")[k],
                    division=ent.division_code, enterprise=ent, organiser=ent.name, count=40)
        water = Organisation.objects.filter(name=p.department("water")).first()
        add(f"{p.department('water')}水库防汛抢险演练（示例）", 130, "field", by_name.get(special_plan_name(p, "flood_drought")),
            large=True, organisation=water.pk if water else None, organiser=p.department("water"), count=150)
        add(f"{p.name}地震应急综合演练（计划，示例）", -40, "comprehensive", by_name.get(special_plan_name(p, "earthquake")),
            large=True, state="planned")
        plans.sweep_triggers()
    return Drill.objects.filter(is_synthetic=True).count()


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁亮成"


@demo_step(92, "培训考试（合成：题库、学员、考试与证书）")
def load_training() -> int:
    if Question.objects.filter(is_synthetic=True).exists():
        return 0
    users = _users()
    if len(users) < 5:
        return 0
    city = users["city"]
    rng = random.Random(2109)
    now = timezone.now()
    p, CITY, COUNTIES = _where()  # noqa: N806
    with transaction.atomic():
        for row in questions():
            _reg(QUESTIONS, city, {**row, "division_code": CITY})
        courses = {key: _reg(COURSES, city, {**data, "division_code": CITY, "is_synthetic": True}) for key, data in {
            "leader": {"name": "危险化学品企业主要负责人初次培训（示例）", "kind": "initial", "post": "principal", "hours": "48"},
            "manager": {"name": "安全生产管理人员再培训（示例）", "kind": "refresher", "post": "safety_manager", "hours": "16"},
            "special": {"name": "特种作业人员复审培训（电工，示例）", "kind": "review", "post": "special_operator", "hours": "8"},
            "staff": {"name": "应急管理干部业务培训（示例）", "kind": "other", "post": "bureau_staff", "hours": "24"},
        }.items()}
        enterprises = list(Enterprise.objects.filter(is_synthetic=True).order_by("pk")[:30])
        trainees = []
        posts = ["principal", "safety_manager", "safety_manager", "special_operator", "special_operator", "bureau_staff"]
        for i in range(150):
            post = posts[i % len(posts)]
            ent = enterprises[i % len(enterprises)] if post != "bureau_staff" else None
            sector = "government" if ent is None else {"hazchem": "hazchem", "coal_mine": "coal_mine",
                                                       "non_coal_mine": "non_coal_mine", "metallurgy": "metallurgy",
                                                       "construction": "construction"}.get(ent.industry, "general")
            division = ent.division_code if ent else list(COUNTIES)[i % len(COUNTIES)]
            trainees.append(_reg(TRAINEES, city, {
                "name": SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + ("" if i % 3 else GIVEN[(i * 3) % len(GIVEN)]),
                "id_number": f"{p.root[:4]}{19700101 + (i % 28) + 10000 * (i % 30):08d}{i:04d}"[:17] + "X", "post": post,
                "sector": sector, "enterprise": ent.pk if ent else None,
                "employer": ent.name if ent else profile.bureau(p, p.unit(division)), "division_code": division,
                "is_synthetic": True}))
        for key, course in courses.items():
            for k in range(2):
                start = timezone.localdate() - dt.timedelta(days=40 + 120 * k + 10 * len(key))
                session = _reg(SESSIONS, city, {"course": course.pk, "starts_on": start, "ends_on": start + dt.timedelta(days=4),
                                                 "venue": f"{p.name}安全教育考核培训基地（示例）", "division_code": CITY,
                                                 "is_synthetic": True})
                fit = [t.pk for t in trainees if t.post == course.post][k::2]
                training.record_attendance(city, session, fit)
        _exams(city, trainees, rng, now)
        for i, t in enumerate([t for t in trainees if t.post in ("principal", "special_operator")][:12]):
            issued = timezone.localdate() - dt.timedelta(days=3 * 365 - 20 - 15 * i)
            kind = "leader" if t.post == "principal" else "special"
            _reg(CERTIFICATES, city, {"trainee": t.pk, "kind": kind, "number": f"SYN-{issued.year}-{i:04d}",
                                       "issued_on": issued, "expires_on": issued + dt.timedelta(days=3 * 365 if kind == "leader" else 6 * 365),
                                       "review_due_on": issued + dt.timedelta(days=3 * 365) if kind == "special" else None,
                                       "division_code": t.division_code, "is_synthetic": True})
    return Question.objects.filter(is_synthetic=True).count() + Trainee.objects.filter(is_synthetic=True).count() + \
        Attendance.objects.filter(is_synthetic=True).count()


BLUEPRINT = [{"kind": "single", "count": 20, "points": 2}, {"kind": "multiple", "count": 10, "points": 3},
             {"kind": "judge", "count": 15, "points": 2}]  # 40 + 30 + 30 = 100


def _exams(city, trainees, rng, now) -> None:
    CITY = profile.current().root12  # noqa: N806
    past = [("危险化学品企业主要负责人安全生产知识考试（示例）", "leader", "principal", 150),
            ("安全生产管理人员安全生产知识考试（示例）", "leader", "safety_manager", 90),
            ("特种作业人员理论考试（电工，示例）", "special", "special_operator", 30)]
    for name, cert, post, days_ago in past:
        opens = now - dt.timedelta(days=days_ago)
        session = _reg(EXAM_SESSIONS, city, {"name": name, "certificate_kind": cert, "time_limit_minutes": 90,
                                              "opens_at": opens, "closes_at": opens + dt.timedelta(hours=8),
                                              "blueprint": BLUEPRINT, "division_code": CITY, "is_synthetic": True})
        for n, trainee in enumerate(t for t in trainees if t.post == post):
            started = opens + dt.timedelta(minutes=10 + n)
            attempt = exams.start(city, session, trainee, now=started)
            skill = 0.7 + 0.25 * rng.random()
            answers = {}
            for q, _ in exams.questions_of(attempt):
                right = rng.random() < skill
                wrong = ("F" if q.key == "T" else "T") if q.kind == "judge" else ("A" if q.key != "A" else "B")
                answers[str(q.pk)] = q.key if right else wrong
            exams.submit(city, attempt, answers, now=started + dt.timedelta(minutes=50 + rng.randrange(30)))
    _reg(EXAM_SESSIONS, city, {"name": "应急管理干部业务知识测试（示例，开放中）", "certificate_kind": "", "time_limit_minutes": 30,
                                "opens_at": now - dt.timedelta(hours=1), "closes_at": now + dt.timedelta(days=60),
                                "blueprint": [{"kind": "single", "count": 10, "points": 5}, {"kind": "judge", "count": 10, "points": 5}],
                                "division_code": CITY, "is_synthetic": True})
    exams.expire_overdue(now)
