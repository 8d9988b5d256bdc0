"""Demo content of the profile's plans as structured data (synthetic wording, real structure).

Units are named by department role and resolved through the profile (docs/profiles.md). Fuxin's
structure follows 阜政办发〔2022〕9号 (阜新市“十四五”应急体系规划) L173–175: the city HQ
(市长任总指挥，分管副市长任副总指挥，市安委会成员单位主要负责人为成员) commands 较大 and 重大
events and supports the province for 特别重大 ones; 22 special HQs handle their categories;
counties handle 一般 events. Level wording, member duties and action steps are written for the
demo (示例) — the real plan texts are not public in machine-readable form.
"""

from __future__ import annotations

LEVEL_CONDITIONS = {
    1: "发生特别重大突发事件，或事态超出市级处置能力、需省应急总指挥部统一指挥时",
    2: "发生重大突发事件，或造成（可能造成）10人以上死亡（含失踪）、大范围影响时",
    3: "发生较大突发事件，或造成（可能造成）3人以上死亡（含失踪）、跨县区影响时",
    4: "发生一般突发事件，或事发地县区请求市级支援、事态有扩大趋势时",
}
LEVEL_COMMANDERS = {1: "市长（配合省应急总指挥部）", 2: "市长（总指挥）", 3: "分管副市长（副总指挥）", 4: "市应急管理局局长"}
LEVEL_DECIDERS = {1: "市应急指挥部报请省应急总指挥部", 2: "市应急指挥部总指挥", 3: "市应急指挥部副总指挥",
                  4: "专项指挥部办公室主任"}

# (department role, action, due minutes); the names come from the profile's [departments]
COMMON_ACTIONS = [
    ("emergency", "指挥部办公室24小时值守，汇总灾情险情，按时限续报", 30),
    ("fire", "调派就近救援力量赶赴现场开展救援", 30),
    ("police", "现场警戒、交通管制，开辟救援通道", 45),
    ("health", "组织医疗救护和卫生防疫，统计伤亡", 60),
]
ESCALATED_ACTIONS = [
    ("emergency", "成立现场指挥部，实行现场应急指挥官制度", 60),
    ("transport", "组织运力，保障救援队伍和物资运输", 120),
    ("civil_affairs", "开放避难场所，转移安置受灾群众，发放生活物资", 240),
    ("telecom", "保障现场应急通信畅通", 120),
]
TOP_ACTIONS = [
    ("news", "统一发布权威信息，引导舆论", 60),
    ("emergency", "向上级应急管理部门请求支援，协调{neighbours}物资和队伍", 120),
]

SPECIAL = {
    # HQ category: (plan title, event types, lead role, specific actions)
    "hazchem": ("危险化学品事故", ["accident.hazchem"], "emergency",
                [("environment", "开展大气、水体环境监测，划定污染区域", 60),
                 ("emergency", "组织危化专家会商，确定堵漏、洗消和处置方案", 60)]),
    "flood_drought": ("防汛抗旱", ["natural.flood", "natural.drought"], "water",
                      [("water", "调度水库闸坝，加强{rivers}巡堤查险", 60),
                       ("weather", "滚动发布降雨预报和预警", 30),
                       ("transport", "对积水、冲毁路段实施封闭并设置绕行", 60)]),
    "earthquake": ("地震", ["natural.earthquake"], "emergency",
                   [("housing", "组织房屋建筑安全应急评估", 240),
                    ("emergency", "启动地震应急数据库开展灾情预评估", 60)]),
    "forest_grassland": ("森林草原火灾", ["natural.forest_grassland_fire"], "forestry",
                         [("forestry", "调派森林草原防灭火专业队伍，划定扑救分区", 60),
                          ("weather", "开展火场气象服务，适时实施人工增雨", 120)]),
    "geological": ("地质灾害", ["natural.geological"], "natural_resources",
                   [("natural_resources", "组织地质灾害隐患点和采空区应急调查监测", 60)]),
    "coal_mine": ("煤矿事故", ["accident.coal_mine"], "emergency",
                  [("emergency", "调派矿山救护队入井侦察和救援", 30)]),
    "non_coal_mine": ("非煤矿山事故", ["accident.non_coal_mine"], "emergency",
                      [("emergency", "调派矿山救护队开展侦察和救援，监测尾矿库坝体", 30)]),
    "work_safety": ("生产安全事故", ["accident.work_safety", "accident.manufacturing"], "emergency",
                    [("emergency", "组织专家会商，确定救援方案，核查伤亡", 60)]),
    "major_traffic": ("道路交通事故", ["accident.road_traffic", "accident.highway"], "police",
                      [("police", "事故路段交通管制和分流绕行", 30)]),
}


def _actions(p, level: int, specific) -> list[dict]:
    rows = list(COMMON_ACTIONS) + list(specific)
    if level <= 3:
        rows += ESCALATED_ACTIONS
    if level <= 2:
        rows += TOP_ACTIONS
    words = {"neighbours": "、".join(p.demo["plans"]["neighbours"]), "rivers": "、".join(p.demo["plans"]["rivers"])}
    return [{"unit_name": p.department(u), "action": a.format(**words), "due_minutes": m} for u, a, m in rows]


def _levels(p, specific) -> list[dict]:
    return [{"level": n, "incident_grades": [n], "activation_conditions": LEVEL_CONDITIONS[n],
             "commander": LEVEL_COMMANDERS[n], "decided_by": LEVEL_DECIDERS[n], "actions": _actions(p, n, specific)}
            for n in (1, 2, 3, 4)]


def _members(units) -> list[dict]:
    return [{"unit_name": u, "role": "成员单位", "duties": d} for u, d in units]


GENERAL_MEMBERS = [
    ("emergency", "承担市应急指挥部办公室日常工作，综合协调、信息汇总、救援力量和物资调度"),
    ("police", "维护社会治安，实施交通管制，参与人员搜救"),
    ("fire", "承担综合性应急救援主力任务"),
    ("health", "医疗救治、卫生防疫和心理援助"),
    ("transport", "公路抢通、运力保障"),
    ("civil_affairs", "受灾群众基本生活救助和转移安置"),
    ("weather", "气象监测预报和预警服务"),
    ("power", "电力应急保障"),
]


def plan_documents(p, org_by_name: dict) -> list[dict]:
    """The profile's structured demo plans: the general plan and the special plans its
    [demo.plans] table lists (each linked to the profile's HQ of that category, if it has one)."""
    spec = p.demo["plans"]
    source = spec["source"]
    division_code = p.root12

    def link(doc: dict) -> dict:
        for m in doc["members"]:
            m["organisation_id"] = org_by_name.get(m["unit_name"])
        for level in doc["levels"]:
            for a in level["actions"]:
                a["organisation_id"] = org_by_name.get(a["unit_name"])
        return doc

    docs = [link({
        "name": f"{p.name}突发事件总体应急预案（示例）", "kind": "general", "event_types": [],
        "headquarters_id": org_by_name.get(p.general_hq),
        "hq_composition": "市长任总指挥，分管副市长任副总指挥，市安委会各成员单位主要负责人为指挥部成员",
        "lead_unit": p.department("emergency"), "source": source, "division_code": division_code, "is_synthetic": True,
        "summary": "规定全市突发事件分级响应：特别重大（Ⅰ级）配合省应急总指挥部处置，重大（Ⅱ级）、较大（Ⅲ级）由市应急指挥部指挥处置，"
                   f"一般（Ⅳ级）由事发地{spec.get('unit_word', '县区')}处置、市级视情支援。",
        "members": _members([(p.department(role), duty) for role, duty in GENERAL_MEMBERS]), "levels": _levels(p, []),
    })]
    for code in spec["special"]:
        title, types, lead_role, specific = SPECIAL[code]
        hq = p.hq(code)
        hq_name = hq.name if hq else title
        lead = p.department(lead_role)
        units = [(lead, f"{hq_name}应急专项指挥部办公室，牵头组织{hq_name}类突发事件处置")] + [
            (p.department(u), "按专项预案分工承担相应处置任务") for u, _, _ in COMMON_ACTIONS + list(specific)
            if p.department(u) != lead]
        docs.append(link({
            "name": special_plan_name(p, code), "kind": "special", "event_types": types,
            "headquarters_id": org_by_name.get(hq.full_name) if hq else None,
            "hq_composition": f"{hq_name}应急专项指挥部：分管副市长任指挥长，{lead}主要负责人任副指挥长，有关成员单位负责人为成员",
            "lead_unit": lead, "source": source, "division_code": division_code, "is_synthetic": True,
            "summary": f"{hq_name}类突发事件的分级响应、指挥协调与处置措施（示例）。",
            "members": _members(list(dict.fromkeys(units))), "levels": _levels(p, specific),
        }))
    return docs


def county_plan(p, county_name: str, bureau: str, division_code: str) -> dict:
    word = p.demo["plans"].get("unit_word", "县区")
    return {
        "name": f"{county_name}突发事件总体应急预案（示例）", "kind": "general", "event_types": [],
        "hq_composition": f"{county_name}长任总指挥，分管副职任副总指挥",
        "lead_unit": bureau, "source": p.demo["plans"]["source"], "division_code": division_code,
        "is_synthetic": True, "summary": f"{word}负责本行政区域一般突发事件的先期处置和应对（示例）。",
        "members": _members([(bureau, f"{word}指挥部办公室，信息汇总和力量调度")]),
        "levels": [{"level": 4, "incident_grades": [4], "activation_conditions": "本行政区域内发生一般突发事件",
                    "commander": f"{county_name}分管副职", "decided_by": f"{county_name}突发事件应急指挥部",
                    "actions": [{"unit_name": bureau, "action": f"组织先期处置，30分钟内电话报告{p.department('emergency')}",
                                 "due_minutes": 30}]}],
    }


def special_plan_name(p, code: str) -> str:
    """The name of the profile's special plan of an HQ category (the same in the plan registry)."""
    title = SPECIAL[code][0]
    return f"{p.name}{p.demo['plans'].get('titles', {}).get(code, title + '应急预案')}（示例）"
