"""A synthetic (合成) question bank for the demo: 240 questions over six topics, single choice,
multiple choice and true/false, three difficulties. A few stems restate rules the platform
cites (training hours, certificate validity, drill frequencies, filing deadlines); the rest
are generated variations. Every row is marked synthetic."""

from __future__ import annotations

import random

FACTS = [
    # (topic, kind, difficulty, stem, options, answer)
    ("安全生产法规", "single", 2, "危险化学品生产单位主要负责人初次安全培训时间不得少于（ ）学时。",
     ["24", "32", "48", "72"], "C"),
    ("安全生产法规", "single", 1, "一般行业生产经营单位主要负责人每年再培训时间不得少于（ ）学时。",
     ["8", "12", "16", "20"], "B"),
    ("安全生产法规", "single", 2, "特种作业操作证有效期为（ ）年。", ["3", "4", "5", "6"], "D"),
    ("安全生产法规", "judge", 1, "特种作业操作证每3年复审1次。", [], "对"),
    ("应急预案与演练", "single", 2, "生产经营单位应当在应急预案公布之日起（ ）个工作日内备案。",
     ["5", "10", "15", "20"], "D"),
    ("应急预案与演练", "single", 2, "生产经营单位现场处置方案演练至少每（ ）组织一次。",
     ["三个月", "半年", "一年", "两年"], "B"),
    ("应急预案与演练", "multiple", 3, "下列情形中，应当及时修订应急预案的有（ ）。",
     ["应急指挥机构及其职责发生调整", "面临的风险发生重大变化", "重要应急资源发生重大变化", "单位更换了办公电话"], "ABC"),
    ("应急预案与演练", "judge", 2, "应急预案评估原则上每3年进行一次。", [], "对"),
    ("危险化学品安全", "multiple", 2, "危险化学品泄漏事故现场处置的基本措施包括（ ）。",
     ["划定警戒区域", "控制泄漏源", "无关人员撤离", "立即用明火照明查看"], "ABC"),
    ("危险化学品安全", "judge", 1, "储存危险化学品的仓库可以与员工宿舍设在同一建筑物内。", [], "错"),
    ("消防安全", "single", 1, "发现初起火灾时，首先应当（ ）。", ["逃离现场不管", "报警并利用现场器材扑救", "等待消防队", "打开所有门窗通风"], "B"),
    ("矿山安全", "judge", 2, "煤矿井下作业人员必须随身携带自救器。", [], "对"),
]

TOPICS = {
    "安全生产法规": ("安全生产法", "生产经营单位", "主要负责人", "安全生产责任制", "安全培训"),
    "应急预案与演练": ("应急预案", "应急演练", "预案评估", "预案备案", "演练评估"),
    "危险化学品安全": ("重大危险源", "危险化学品储存", "危化品运输", "泄漏处置", "作业许可"),
    "矿山安全": ("通风管理", "瓦斯检查", "顶板管理", "防治水", "安全出口"),
    "消防安全": ("灭火器使用", "疏散通道", "动火作业", "消防设施", "初起火灾"),
    "特种作业安全": ("电工作业", "焊接与热切割", "高处作业", "制冷作业", "劳动防护"),
}


def questions(seed: int = 2109) -> list[dict]:
    """240 questions as registry data (topic, kind, difficulty, stem, options, answer)."""
    rng = random.Random(seed)
    rows = []
    for topic, kind, difficulty, stem, options, answer in FACTS:
        rows.append(_row(topic, kind, difficulty, stem, options, answer))
    n = 0
    while len(rows) < 240:
        for topic, subjects in TOPICS.items():
            subject = subjects[n % len(subjects)]
            kind = ("single", "single", "multiple", "judge")[n % 4]
            difficulty = 1 + (n // 4) % 3
            n += 1
            if kind == "judge":
                right = rng.random() < 0.5
                stem = f"关于{subject}，{'落实' if right else '忽视'}岗位安全操作规程是符合要求的做法（示例题{n}）。"
                rows.append(_row(topic, kind, difficulty, stem, [], "对" if right else "错"))
            elif kind == "single":
                correct = rng.randrange(4)
                options = [f"{subject}的错误做法{i + 1}" for i in range(4)]
                options[correct] = f"{subject}应当按规定执行并留有记录"
                rows.append(_row(topic, kind, difficulty, f"关于{subject}，下列做法正确的是（ ）。（示例题{n}）",
                                 options, "ABCD"[correct]))
            else:
                picks = sorted(rng.sample(range(4), 2 + rng.randrange(2)))
                options = [f"{subject}要求{i + 1}（示例）" if i in picks else f"与{subject}无关的说法{i + 1}"
                           for i in range(4)]
                rows.append(_row(topic, kind, difficulty, f"{subject}的要求包括（ ）。（示例题{n}）", options,
                                 "".join("ABCD"[i] for i in picks)))
            if len(rows) >= 240:
                break
    return rows


def _row(topic, kind, difficulty, stem, options, answer) -> dict:
    row = {"topic": topic, "kind": kind, "difficulty": difficulty, "stem": stem, "answer": answer, "is_synthetic": True}
    for letter, text in zip("abcdef", options):
        row[f"option_{letter}"] = text
    return row
