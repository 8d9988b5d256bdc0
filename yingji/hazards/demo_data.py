"""Demo steps (40–49): hazard sources of the 37 hazchem enterprises with realistic contents,
risk points in four colours, checklists, inspections and hidden hazards in every state.

Everything is synthetic (``is_synthetic=True``, names carry 示例). Quantities are design
maxima chosen so that the gradings (computed by the real GB 18218 rule layer) span 一级..四级.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from yingji.demo import profile
from yingji.demo.places import point_in_county, township_of
from yingji.demo.steps import SEED, demo_step
from yingji.regions.models import Enterprise

from .grading import regrade
from .loop import escalate_overdue
from .models import (EVALUATION_PERIOD_YEARS, Checklist, HazardRuleSetting, HazardSource, HazardUnit, HiddenHazard, InspectionTask, RiskPoint,
                     UnitChemical, add_years)
from .risk import assess_point

# (people within 500 m, [(unit name, kind, [(name, cas, categories, tonnes)])]) per product line.
FLUORINE_TEMPLATES = {
    "氟化工": (24, [("无水氟化氢储罐区", "storage", [("氟化氢", "7664-39-3", "", 30)]),
                 ("液氯汽化装置", "production", [("液氯", "", "", 25)])]),
    "含氟精细化学品": (72, [("液氯钢瓶库", "storage", [("氯", "7782-50-5", "", 8)]),
                      ("甲醇罐区", "storage", [("甲醇", "67-56-1", "", 600)])]),
    "氟材料": (160, [("四氟乙烯单体装置", "production", [("四氟乙烯", "", "W2", 15), ("氯化氢（无水）", "", "", 10),
                                                     ("液氯", "", "", 5)])]),
    "氢氟酸": (18, [("无水氟化氢储罐区", "storage", [("氟化氢", "", "", 48)]),
                 ("硫酸及氨罐区", "storage", [("液氨", "", "", 12)])]),
    "含氟医药中间体": (64, [("合成车间", "production", [("甲醇", "", "", 700), ("甲苯", "108-88-3", "", 400),
                                                   ("液氯", "", "", 8)])]),
    "氟聚合物": (55, [("氟化氢反应装置", "production", [("氟化氢", "", "", 7)]),
                  ("液氨罐区", "storage", [("氨", "7664-41-7", "", 15)])]),
    "电子级氟化物": (130, [("电子级氢氟酸装置", "production", [("氟化氢", "", "", 5), ("氨", "", "", 10)])]),
    "制冷剂": (21, [("二氟甲烷球罐区", "storage", [("二氟甲烷（R32）", "", "W2", 12)]),
                 ("1,1-二氟乙烷储罐", "storage", [("1,1-二氟乙烷（R152a）", "", "W2", 6)])]),
}
OTHER_TEMPLATES = {
    "液化气储配站": (180, [("液化石油气储罐区", "storage", [("液化石油气", "", "", 150)])]),
    "化工仓储": (70, [("甲类储罐区", "storage", [("甲醇", "", "", 2000), ("苯", "71-43-2", "", 100), ("丙酮", "", "", 500)])]),
    "燃气": (240, [("天然气储配站", "storage", [("天然气", "", "", 80)])]),
    "化学试剂": (36, [("试剂仓库", "storage", [("甲苯", "", "", 300), ("乙醇", "", "", 400), ("丙酮", "", "", 200)])]),
    "油品储运": (90, [("汽油储罐区", "storage", [("汽油", "", "", 600)]), ("装卸站台", "production", [("汽油", "", "", 50)])]),
    "工业气体": (75, [("空分及充装车间", "production", [("氢气", "", "", 20), ("液氧", "", "", 300)]),
                  ("液氨储罐", "storage", [("液氨", "", "", 30)])]),
}
RISK_POINT_NAMES = ["无水氟化氢储罐区", "液氯钢瓶库", "反应釜区", "装卸车鹤位", "危化品仓库", "受限空间作业（储罐检修）",
                    "动火作业区", "甲醇罐区", "导热油炉", "污水处理站", "配电室", "空压站"]
# (method, factors) per colour: LEC (L, E, C) or matrix (L, S).
RISK_FACTORS = {
    "red": [("LEC", ("10", "6", "15")), ("LEC", ("3", "6", "40")), ("LS", (4, 5)), ("LS", (5, 5))],
    "orange": [("LEC", ("3", "6", "15")), ("LEC", ("1", "6", "40")), ("LS", (3, 5)), ("LS", (4, 4))],
    "yellow": [("LEC", ("3", "6", "7")), ("LEC", ("1", "6", "15")), ("LS", (3, 3)), ("LS", (3, 4))],
    "blue": [("LEC", ("1", "6", "7")), ("LEC", ("3", "3", "3")), ("LS", (2, 3)), ("LS", (1, 4))],
}
CHECKLISTS = [
    ("危险化学品企业安全风险隐患排查表（示例）", "hazchem", [
        "《危险化学品重大危险源监督管理暂行规定》第十三条｜重大危险源配备温度、压力、液位、流量等参数的不间断采集和监测系统，并具备信息远传、连续记录功能",
        "《危险化学品重大危险源监督管理暂行规定》第十三条｜涉及毒性气体、液化气体的重大危险源配备独立的安全仪表系统（SIS）",
        "GB 50493-2019 第4.1.1条｜可燃和有毒气体检测报警器按规范设置并定期检定",
        "《危险化学品企业特殊作业安全规范》GB 30871-2022｜动火、受限空间等特殊作业票证齐全、安全措施落实",
        "《危险化学品重大危险源监督管理暂行规定》第十九条｜重大危险源安全包保责任人公示，按规定履职",
        "《生产安全事故应急预案管理办法》第三十三条｜重大危险源现场处置方案每半年至少演练一次",
    ]),
    ("重大危险源专项检查表（示例）", "hazchem", [
        "《危险化学品重大危险源监督管理暂行规定》第八条｜重大危险源每三年至少进行一次安全评估",
        "《危险化学品重大危险源监督管理暂行规定》第二十三条｜重大危险源已向所在地应急管理部门备案",
        "GB 18218-2018｜重大危险源辨识和分级资料完整，单元划分和设计最大量与现场一致",
        "GB/T 50770-2013｜储罐区紧急切断阀完好，可远程操作",
    ]),
    ("企业日常安全自查表（示例）", "", [
        "《安全生产法》第四十一条｜建立安全风险分级管控制度，风险点告知卡张贴",
        "《安全生产法》第四十一条｜事故隐患排查治理情况如实记录并向从业人员通报",
        "GB 2894-2008｜安全警示标志设置齐全、清晰",
        "《消防法》第十六条｜消防设施、器材完好有效，疏散通道畅通",
    ]),
]
HAZARD_TEXTS = [
    ("液氯钢瓶库有毒气体报警器未按期检定", "GB 50493-2019 第7.1.3条", "液氯钢瓶库"),
    ("氟化氢储罐液位计远传信号中断", "《危险化学品重大危险源监督管理暂行规定》第十三条", "无水氟化氢储罐区"),
    ("动火作业票安全措施未逐项确认", "GB 30871-2022 第5.2条", "反应釜区"),
    ("受限空间作业未进行气体检测", "GB 30871-2022 第6.2条", "储罐检修现场"),
    ("储罐区紧急切断阀无法远程关闭", "GB/T 50770-2013", "甲醇罐区"),
    ("装卸鹤位静电接地夹损坏", "GB 12158-2006", "装卸车鹤位"),
    ("消防通道被物料堵塞", "《消防法》第二十八条", "危化品仓库"),
    ("安全仪表系统联锁被旁路未审批", "GB/T 50770-2013", "氟化氢反应装置"),
    ("应急洗眼器无水", "GBZ 1-2010", "氢氟酸装置区"),
    ("配电室挡鼠板缺失", "GB 50054-2011", "配电室"),
    ("重大危险源包保责任人未公示", "《危险化学品重大危险源监督管理暂行规定》第十九条", "厂区大门"),
    ("现场处置方案未演练", "《生产安全事故应急预案管理办法》第三十三条", "安全科"),
]
# (state, grade, deadline offset in days from today or None, supervised, plan approved)
HAZARD_STATES = [
    ("reported", "", None, False, False), ("reported", "", None, False, False), ("reported", "", None, False, False),
    ("confirmed", "general", None, False, False), ("confirmed", "general", None, False, False),
    ("rectifying", "general", 12, False, False), ("rectifying", "general", 30, False, False),
    ("rectifying", "general", -6, False, False), ("rectifying", "general", -20, False, False),
    ("pending_review", "general", 5, False, False), ("pending_review", "general", -2, False, False),
    ("review_failed", "general", -3, False, False), ("review_passed", "general", 8, False, False),
    ("closed", "general", -30, False, False), ("closed", "general", -45, False, False), ("closed", "general", -60, False, False),
    ("rejected", "", None, False, False),
    ("confirmed", "major", None, False, False),
    ("supervised", "major", None, True, False),
    ("plan_submitted", "major", 60, True, False),
    ("rectifying", "major", -20, True, True),  # the overdue major hazard under 挂牌督办 (escalated)
    ("rectifying", "major", 45, True, True),
    ("resumption_requested", "major", 10, True, True),
    ("review_passed", "major", 15, True, True),
    ("closed", "major", -90, True, True),
]


def _scaled(rng: random.Random, tonnes) -> Decimal:
    return (Decimal(str(tonnes)) * Decimal(str(round(rng.uniform(1.0, 1.15), 2)))).quantize(Decimal("0.1"))


def _template_for(enterprise: Enterprise):
    for key, template in {**FLUORINE_TEMPLATES, **OTHER_TEMPLATES}.items():
        if key in enterprise.name:
            return key, template
    return "氟化工", FLUORINE_TEMPLATES["氟化工"]


def _people(rng: random.Random, base: int) -> int:
    """People near the base count without crossing a Table 5 band (α stays as designed)."""
    bands = [(0, 0), (1, 29), (30, 49), (50, 99), (100, 400)]
    lo, hi = next(b for b in bands if b[0] <= base <= b[1])
    return rng.randint(max(lo, base - 5), min(hi, base + 5))


def _source(rng, index: int, enterprise: Enterprise, key: str, people: int, today: dt.date) -> HazardSource:
    p = profile.current()
    evaluated = today - dt.timedelta(days=rng.randint(120, 1300))  # a few are past the 3-year evaluation
    filed = index % 9 != 4
    return HazardSource(
        enterprise=enterprise, name=f"{enterprise.name.replace('有限公司', '')}重大危险源", code=f"示例-{p.scope_prefix}-{index:03d}",
        exposed_people=people, filing_status="filed" if filed else ("changed" if index % 2 else "unfiled"),
        filing_number=f"{p.demo['abbr']}应急危备〔示例〕{index:03d}号" if filed else "", filed_on=evaluated if filed else None,
        evaluated_on=evaluated, evaluation_due_on=add_years(evaluated, EVALUATION_PERIOD_YEARS),
        person_main=f"主要负责人{index:02d}（示例）", person_main_phone=profile.mobile(p, "138", index),
        person_technical=f"技术负责人{index:02d}（示例）", person_technical_phone=profile.mobile(p, "137", index),
        person_operational=f"操作负责人{index:02d}（示例）", person_operational_phone=profile.mobile(p, "136", index),
        emergency_plan=f"{enterprise.name}生产安全事故应急预案（备案号 示例-{index:03d}）",
        division_code=enterprise.division_code, lon=enterprise.lon, lat=enterprise.lat, is_synthetic=True,
    )


@demo_step(40, "重大危险源及分级")
def load_hazard_sources() -> int:
    if HazardSource.objects.filter(is_synthetic=True).exists():
        return 0
    p = profile.current()
    HazardRuleSetting.objects.get_or_create(division_code=p.root12, defaults={
        "name": f"{p.name}重大危险源与风险分级规则设置", "is_synthetic": True,
        "notes": "示例：采用规则层默认取值（多类别β取最大值；表1多项须写明规格；LEC 320/160/70；矩阵 20/15/9）。"})
    rng = random.Random(SEED + 40)
    today = timezone.localdate()
    enterprises = list(Enterprise.objects.filter(industry="hazchem", is_synthetic=True).order_by("pk"))
    sources, plans = [], []
    for index, enterprise in enumerate(enterprises, start=1):
        key, (base_people, units) = _template_for(enterprise)
        sources.append(_source(rng, index, enterprise, key, _people(rng, base_people), today))
        plans.append(units)
    HazardSource.objects.bulk_create(sources)
    unit_rows, chemical_specs = [], []
    for source, units in zip(sources, plans):
        for name, kind, chemicals in units:
            unit_rows.append(HazardUnit(hazard_source=source, enterprise_id=source.enterprise_id, name=name, kind=kind,
                                        division_code=source.division_code, is_synthetic=True,
                                        description=f"{name}（示例）"))
            chemical_specs.append(chemicals)
    HazardUnit.objects.bulk_create(unit_rows)
    chemicals = [
        UnitChemical(unit=unit, hazard_source_id=unit.hazard_source_id, enterprise_id=unit.enterprise_id,
                     division_code=unit.division_code, is_synthetic=True, name=name, cas=cas, categories=categories,
                     design_max_t=_scaled(rng, tonnes), storage_form="储罐" if unit.kind == "storage" else "工艺装置")
        for unit, specs in zip(unit_rows, chemical_specs) for name, cas, categories, tonnes in specs
    ]
    UnitChemical.objects.bulk_create(chemicals)
    for source in sources:
        regrade(source, None, "演示数据载入")
    return len(sources)


def _risk_point(rng, enterprise, name, colour, index) -> RiskPoint:
    method, factors = rng.choice(RISK_FACTORS[colour])
    point = RiskPoint(enterprise=enterprise, kind="enterprise", name=f"{name}（示例）", location_text=name,
                      hazard_factors="泄漏、中毒、火灾爆炸", accident_types="中毒和窒息、火灾、其他爆炸", method=method,
                      control_measures="监测报警、联锁切断、巡检、作业许可", responsible_person=f"管控责任人{index:03d}",
                      control_level=rng.choice(["company", "workshop", "team", "post"]), is_synthetic=True,
                      division_code=enterprise.division_code, lon=enterprise.lon, lat=enterprise.lat)
    if method == "LEC":
        point.lec_l, point.lec_e, point.lec_c = factors
    else:
        point.matrix_l, point.matrix_s = factors
    assess_point(point)
    return point


@demo_step(41, "风险点（四色）")
def load_risk_points() -> int:
    if RiskPoint.objects.filter(is_synthetic=True).exists():
        return 0
    rng = random.Random(SEED + 41)
    rows = []
    colour_for_grade = {1: "red", 2: "orange", 3: "yellow", 4: "blue"}
    for source in HazardSource.objects.filter(is_synthetic=True).select_related("enterprise").order_by("pk"):
        top = colour_for_grade.get(source.current_grade, "yellow")
        names = rng.sample(RISK_POINT_NAMES, 4)
        colours = [top] + rng.sample(["orange", "yellow", "blue", "blue"], 3)
        for name, colour in zip(names, colours):
            rows.append(_risk_point(rng, source.enterprise, name, colour, len(rows) + 1))
    for enterprise in Enterprise.objects.filter(is_synthetic=True).exclude(industry="hazchem").order_by("pk"):
        for name in rng.sample(["配电室", "空压站", "机修车间", "仓库"], 2):
            rows.append(_risk_point(rng, enterprise, name, rng.choice(["yellow", "blue", "orange"]), len(rows) + 1))
    p = profile.current()
    others = [u for u in p.units if u not in (profile.focus(p), profile.seat(p), profile.second(p))]
    public = [("示例商业综合体", profile.seat(p).code), ("示例客运站", others[-1].code), ("示例体育场馆", others[1].code)]
    for i, (name, county) in enumerate(public):
        lon, lat = point_in_county(rng, county)
        point = RiskPoint(kind="public", name=name, location_text="人员密集场所", hazard_factors="人员密集、火灾",
                          accident_types="火灾、拥挤踩踏", method="LS", matrix_l=3, matrix_s=4 + (i == 0),
                          control_level="company", is_synthetic=True, lon=lon, lat=lat,
                          division_code=township_of(lon, lat, county))
        assess_point(point)
        rows.append(point)
    RiskPoint.objects.bulk_create(rows)
    return len(rows)


def _hazard(rng, enterprise, task, index, spec, today) -> HiddenHazard:
    state, grade, offset, supervised, approved = spec
    title, clause, place = HAZARD_TEXTS[index % len(HAZARD_TEXTS)]
    deadline = today + dt.timedelta(days=offset) if offset is not None else None
    discovered = (deadline or today) - dt.timedelta(days=rng.randint(20, 40))
    has_rectification = state not in ("reported", "confirmed", "supervised", "rejected")
    hazard = HiddenHazard(
        enterprise=enterprise, inspection=task, title=f"{title}（示例）", description=f"{place}：{title}。",
        location_text=place, clause=clause, source="inspection" if task and task.kind == "supervision" else "self_check",
        proposed_grade=grade or "general", discovered_on=min(discovered, today), grade=grade, state=state,
        state_changed_at=timezone.now() - dt.timedelta(days=rng.randint(1, 10)), deadline=deadline,
        measures="更换/修复并加强巡检（示例）" if has_rectification else "",
        responsible_person=f"整改责任人{index:02d}" if has_rectification else "",
        funds_yuan=Decimal(rng.randint(2, 80) * 1000) if has_rectification else None,
        is_supervised=supervised, plan_approved=approved, division_code=enterprise.division_code,
        lon=enterprise.lon, lat=enterprise.lat, is_synthetic=True,
    )
    if supervised:
        p = profile.current()
        hazard.supervising_unit = p.department("emergency")
        hazard.supervision_number = f"{p.demo['abbr']}应急督〔示例〕{index:02d}号"
        hazard.supervised_on = discovered + dt.timedelta(days=3)
    if grade == "major" and state not in ("confirmed", "supervised"):
        hazard.plan_goals = "消除重大事故隐患，恢复安全生产条件（示例）"
        hazard.plan_safety_measures = "治理期间停用相关装置，设置警戒，制定专项应急预案（示例）"
    if state == "resumption_requested":
        hazard.evaluation_report = "第三方评估报告：治理措施已落实，具备恢复生产条件（示例）"
    if state == "closed":
        hazard.closed_at = timezone.now() - dt.timedelta(days=rng.randint(1, 20))
    if state == "rejected":
        hazard.last_reason = "经现场核实，该设备已停用拆除，不属实（示例）"
    if state == "review_failed":
        hazard.last_reason = hazard.review_opinion = "复查发现整改不彻底（示例）"
    return hazard


@demo_step(42, "检查表、检查任务与隐患")
def load_inspections_and_hazards() -> int:
    if HiddenHazard.objects.filter(is_synthetic=True).exists():
        return 0
    rng = random.Random(SEED + 42)
    today = timezone.localdate()
    checklists = [Checklist(name=name, industry=industry, items="\n".join(items), division_code=profile.current().root12,
                            is_synthetic=True)
                  for name, industry, items in CHECKLISTS]
    Checklist.objects.bulk_create(checklists)
    enterprises = list(Enterprise.objects.filter(industry="hazchem", is_synthetic=True).order_by("pk"))
    tasks = []
    for i, enterprise in enumerate(enterprises):
        kind = "self_check" if i % 3 == 2 else "supervision"
        checklist = checklists[2] if kind == "self_check" else checklists[i % 2]
        planned = today - dt.timedelta(days=rng.randint(-20, 60))
        status = "completed" if planned < today - dt.timedelta(days=7) else ("planned" if planned > today else "in_progress")
        if i % 11 == 5:
            status = "planned"  # overdue: planned date passed, not done
        tasks.append(InspectionTask(
            enterprise=enterprise, kind=kind, title=f"{enterprise.name}{'企业自查' if kind == 'self_check' else '监管检查'}（示例）",
            checklist=checklist, items=checklist.item_list(), inspectors="监管人员甲、监管人员乙" if kind == "supervision" else "安全员",
            planned_on=planned, executed_on=planned if status == "completed" else None, status=status,
            summary="发现隐患已登记，限期整改（示例）" if status == "completed" else "", division_code=enterprise.division_code,
            is_synthetic=True))
    InspectionTask.objects.bulk_create(tasks)
    hazards = []
    for index, spec in enumerate(HAZARD_STATES):
        task = tasks[(index * 7) % len(tasks)]
        hazards.append(_hazard(rng, task.enterprise, task, index, spec, today))
    # The demo enterprise user's own enterprise has hazards in several states too.
    own = enterprises[0]
    for index, spec in enumerate(HAZARD_STATES[:6] + [HAZARD_STATES[13]]):
        hazards.append(_hazard(rng, own, None, index + 3, spec, today))
    HiddenHazard.objects.bulk_create(hazards)
    escalate_overdue(today)
    return len(checklists) + len(tasks) + len(hazards)


COUNTY_CHECKLIST = ("{unit}尾矿库汛期安全检查表（示例）", "non_coal_mine", [
    "《尾矿库安全规程》GB 39496-2020 第 6 章｜库内水位与干滩长度符合设计要求",
    "《尾矿库安全规程》GB 39496-2020 第 7 章｜排洪设施畅通，无堵塞、坍塌",
    "《尾矿库安全监督管理规定》第二十条｜在线监测系统运行正常，报警能推送至企业和属地监管部门",
    "汛期值班制度｜汛期 24 小时值班，巡坝记录完整",
])


@demo_step(43, "县区检查表、企业自编检查表与县区分级规则")
def load_county_checklists_and_settings() -> int:
    """A county's own checklist, an enterprise's own daily checklist, and the focus unit's (Fuxin:
    彰武县) grading rule setting (the city's values, filed by the county: grades do not change)."""
    p = profile.current()
    focus = profile.focus(p)
    ZHANGWU, CITY = focus.code12, p.root12  # noqa: N806  (the names the step was written with)
    if Checklist.objects.filter(is_synthetic=True, division_code=ZHANGWU).exists():
        return 0
    name, industry, items = COUNTY_CHECKLIST
    name = name.format(unit=focus.short_name)
    rows = [Checklist(name=name, industry=industry, items="\n".join(items), division_code=ZHANGWU, is_synthetic=True)]
    own = Enterprise.objects.filter(industry="hazchem", is_synthetic=True).order_by("pk").first()
    if own is not None:
        rows.append(Checklist(
            enterprise=own, name=f"{own.name}储罐区日常巡检表（示例）", industry="hazchem", division_code=own.division_code,
            is_synthetic=True, items="\n".join([
                "企业安全管理制度｜储罐液位、温度、压力在线监测数据正常",
                "GB 50160 第 6.2 节｜防火堤完好，排水阀常闭",
                "企业安全管理制度｜可燃/有毒气体报警器在检定有效期内",
            ])))
    Checklist.objects.bulk_create(rows)
    city = HazardRuleSetting.objects.filter(division_code=CITY).first()
    made = len(rows)
    if city is not None and not HazardRuleSetting.objects.filter(division_code=ZHANGWU).exists():
        values = {f.name: getattr(city, f.name) for f in HazardRuleSetting._meta.concrete_fields
                  if f.name not in ("id", "name", "division_code", "notes", "created_at", "updated_at", "created_by",
                                    "updated_by", "version", "is_synthetic")}
        HazardRuleSetting.objects.create(**values, name=f"{focus.short_name}重大危险源与风险分级规则设置", division_code=ZHANGWU,
                                         is_synthetic=True, notes="示例：县级备案，取值与市级规则设置相同，分级结果不变。")
        made += 1
    return made
