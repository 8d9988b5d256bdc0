"""Demo content of Fuxin's plans as structured data (synthetic wording, real structure).

The structure follows 阜政办发〔2022〕9号 (阜新市“十四五”应急体系规划) L173–175: the city HQ
(市长任总指挥，分管副市长任副总指挥，市安委会成员单位主要负责人为成员) commands 较大 and 重大
events and supports the province for 特别重大 ones; 22 special HQs handle their categories;
counties handle 一般 events. Level wording, member duties and action steps are written for the
demo (示例) — the real plan texts are not public in machine-readable form.
"""

from __future__ import annotations

FYP_SOURCE = "《阜新市“十四五”应急体系规划》（阜政办发〔2022〕9号）第三部分：指挥体系与分级响应（结构依据）；条文为示例"

LEVEL_CONDITIONS = {
    1: "发生特别重大突发事件，或事态超出市级处置能力、需省应急总指挥部统一指挥时",
    2: "发生重大突发事件，或造成（可能造成）10人以上死亡（含失踪）、大范围影响时",
    3: "发生较大突发事件，或造成（可能造成）3人以上死亡（含失踪）、跨县区影响时",
    4: "发生一般突发事件，或事发地县区请求市级支援、事态有扩大趋势时",
}
LEVEL_COMMANDERS = {1: "市长（配合省应急总指挥部）", 2: "市长（总指挥）", 3: "分管副市长（副总指挥）", 4: "市应急管理局局长"}
LEVEL_DECIDERS = {1: "市应急指挥部报请省应急总指挥部", 2: "市应急指挥部总指挥", 3: "市应急指挥部副总指挥",
                  4: "专项指挥部办公室主任"}

COMMON_ACTIONS = [
    ("阜新市应急管理局", "指挥部办公室24小时值守，汇总灾情险情，按时限续报", 30),
    ("阜新市消防救援支队", "调派就近救援力量赶赴现场开展救援", 30),
    ("阜新市公安局", "现场警戒、交通管制，开辟救援通道", 45),
    ("阜新市卫生健康委员会", "组织医疗救护和卫生防疫，统计伤亡", 60),
]
ESCALATED_ACTIONS = [
    ("阜新市应急管理局", "成立现场指挥部，实行现场应急指挥官制度", 60),
    ("阜新市交通运输局", "组织运力，保障救援队伍和物资运输", 120),
    ("阜新市民政局", "开放避难场所，转移安置受灾群众，发放生活物资", 240),
    ("阜新市通信发展管理办公室", "保障现场应急通信畅通", 120),
]
TOP_ACTIONS = [
    ("阜新市人民政府新闻办公室", "统一发布权威信息，引导舆论", 60),
    ("阜新市应急管理局", "向省应急管理厅请求支援，协调锦州、朝阳、葫芦岛、盘锦物资和队伍", 120),
]

SPECIAL = [
    # (hq short name, plan name, event types, lead unit, specific actions)
    ("危险化学品事故", "阜新市危险化学品事故应急预案（示例）", ["accident.hazchem"], "阜新市应急管理局",
     [("阜新市生态环境局", "开展大气、水体环境监测，划定污染区域", 60),
      ("阜新市应急管理局", "组织危化专家会商，确定堵漏、洗消和处置方案", 60)]),
    ("防汛抗旱", "阜新市防汛抗旱应急预案（示例）", ["natural.flood", "natural.drought"], "阜新市水利局",
     [("阜新市水利局", "调度水库闸坝，加强细河、绕阳河、牤牛河巡堤查险", 60),
      ("阜新市气象局", "滚动发布降雨预报和预警", 30),
      ("阜新市交通运输局", "对积水、冲毁路段实施封闭并设置绕行", 60)]),
    ("地震灾害", "阜新市地震应急预案（示例）", ["natural.earthquake"], "阜新市应急管理局",
     [("阜新市住房和城乡建设局", "组织房屋建筑安全应急评估", 240),
      ("阜新市应急管理局", "启动地震应急数据库开展灾情预评估", 60)]),
    ("森林草原灾害", "阜新市森林草原火灾应急预案（示例）", ["natural.forest_grassland_fire"], "阜新市林业和草原局",
     [("阜新市林业和草原局", "调派森林草原防灭火专业队伍，划定扑救分区", 60),
      ("阜新市气象局", "开展火场气象服务，适时实施人工增雨", 120)]),
    ("地质灾害", "阜新市地质灾害应急预案（示例）", ["natural.geological"], "阜新市自然资源局",
     [("阜新市自然资源局", "组织地质灾害隐患点和采空区应急调查监测", 60)]),
    ("煤矿事故", "阜新市煤矿事故应急预案（示例）", ["accident.coal_mine"], "阜新市应急管理局",
     [("阜新市应急管理局", "调派矿山救护队入井侦察和救援", 30)]),
    ("重特大交通事故", "阜新市道路交通事故应急预案（示例）", ["accident.road_traffic", "accident.highway"],
     "阜新市公安局", [("阜新市公安局", "事故路段交通管制和分流绕行", 30)]),
]


def _actions(level: int, specific) -> list[dict]:
    rows = list(COMMON_ACTIONS) + list(specific)
    if level <= 3:
        rows += ESCALATED_ACTIONS
    if level <= 2:
        rows += TOP_ACTIONS
    return [{"unit_name": u, "action": a, "due_minutes": m} for u, a, m in rows]


def _levels(specific) -> list[dict]:
    return [{"level": n, "incident_grades": [n], "activation_conditions": LEVEL_CONDITIONS[n],
             "commander": LEVEL_COMMANDERS[n], "decided_by": LEVEL_DECIDERS[n], "actions": _actions(n, specific)}
            for n in (1, 2, 3, 4)]


def _members(units) -> list[dict]:
    return [{"unit_name": u, "role": "成员单位", "duties": d} for u, d in units]


GENERAL_MEMBERS = [
    ("阜新市应急管理局", "承担市应急指挥部办公室日常工作，综合协调、信息汇总、救援力量和物资调度"),
    ("阜新市公安局", "维护社会治安，实施交通管制，参与人员搜救"),
    ("阜新市消防救援支队", "承担综合性应急救援主力任务"),
    ("阜新市卫生健康委员会", "医疗救治、卫生防疫和心理援助"),
    ("阜新市交通运输局", "公路抢通、运力保障"),
    ("阜新市民政局", "受灾群众基本生活救助和转移安置"),
    ("阜新市气象局", "气象监测预报和预警服务"),
    ("国网阜新供电公司", "电力应急保障"),
]


def plan_documents(org_by_name: dict, division_code: str) -> list[dict]:
    """The structured demo plans (the general plan and seven special plans)."""
    def link(doc: dict) -> dict:
        for m in doc["members"]:
            m["organisation_id"] = org_by_name.get(m["unit_name"])
        for level in doc["levels"]:
            for a in level["actions"]:
                a["organisation_id"] = org_by_name.get(a["unit_name"])
        return doc

    docs = [link({
        "name": "阜新市突发事件总体应急预案（示例）", "kind": "general", "event_types": [],
        "headquarters_id": org_by_name.get("阜新市突发事件应急指挥部（总指挥部）"),
        "hq_composition": "市长任总指挥，分管副市长任副总指挥，市安委会各成员单位主要负责人为指挥部成员",
        "lead_unit": "阜新市应急管理局", "source": FYP_SOURCE, "division_code": division_code, "is_synthetic": True,
        "summary": "规定全市突发事件分级响应：特别重大（Ⅰ级）配合省应急总指挥部处置，重大（Ⅱ级）、较大（Ⅲ级）由市应急指挥部指挥处置，"
                   "一般（Ⅳ级）由事发地县区处置、市级视情支援。",
        "members": _members(GENERAL_MEMBERS), "levels": _levels([]),
    })]
    for hq, name, types, lead, specific in SPECIAL:
        units = [(lead, f"{hq}应急专项指挥部办公室，牵头组织{hq}类突发事件处置")] + [
            (u, "按专项预案分工承担相应处置任务") for u, _, _ in COMMON_ACTIONS + list(specific) if u != lead]
        docs.append(link({
            "name": name, "kind": "special", "event_types": types,
            "headquarters_id": org_by_name.get(f"阜新市{hq}应急专项指挥部"),
            "hq_composition": f"{hq}应急专项指挥部：分管副市长任指挥长，{lead}主要负责人任副指挥长，有关成员单位负责人为成员",
            "lead_unit": lead, "source": FYP_SOURCE, "division_code": division_code, "is_synthetic": True,
            "summary": f"{hq}类突发事件的分级响应、指挥协调与处置措施（示例）。",
            "members": _members(list(dict.fromkeys(units))), "levels": _levels(specific),
        }))
    return docs


def county_plan(county_name: str, division_code: str) -> dict:
    return {
        "name": f"{county_name}突发事件总体应急预案（示例）", "kind": "general", "event_types": [],
        "hq_composition": f"{county_name}长任总指挥，分管副职任副总指挥",
        "lead_unit": f"{county_name}应急管理局", "source": FYP_SOURCE, "division_code": division_code,
        "is_synthetic": True, "summary": "县区负责本行政区域一般突发事件的先期处置和应对（示例）。",
        "members": _members([(f"{county_name}应急管理局", "县区指挥部办公室，信息汇总和力量调度")]),
        "levels": [{"level": 4, "incident_grades": [4], "activation_conditions": "本行政区域内发生一般突发事件",
                    "commander": f"{county_name}分管副职", "decided_by": f"{county_name}突发事件应急指挥部",
                    "actions": [{"unit_name": f"{county_name}应急管理局", "action": "组织先期处置，30分钟内电话报告市应急管理局",
                                 "due_minutes": 30}]}],
    }
