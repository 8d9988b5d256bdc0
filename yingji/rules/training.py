"""Training and examinations (培训考试): required hours by post and sector, certificate validity
and review, exam paper assembly, scoring and the time limit.

Sources (docs/rules.md, "Training and examinations"):

* 生产经营单位安全培训规定 (原安监总局令第3号, amended 2015) 第九条, 第十三条 [B]: main
  leaders and safety managers ≥32 h initial / ≥12 h yearly refresher, ≥48 / ≥16 in 煤矿, 非煤矿山,
  危险化学品, 烟花爆竹, 金属冶炼; new staff ≥24 h, ≥72 h (refresher ≥20 h) in those sectors.
* Main leader / safety manager exam: 100 points, ≥80 passes; certificate valid 3 years; renew
  within 60 days before expiry [B].
* 特种作业人员安全技术培训考核管理规定 (原安监总局令第30号) [B]: 100 points, ≥80; certificate
  valid 6 years, reviewed every 3 years; apply within 60 days before; ≥8 h training before the
  review [C].
* 阜政办发〔2022〕9号 L226: 三项岗位 exams 8,000+ person-times a year in Fuxin.

Pure module: no Django.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

from .plan_lifecycle import add_years

POSTS = {
    "principal": "主要负责人",
    "safety_manager": "安全生产管理人员",
    "special_operator": "特种作业人员",
    "new_staff": "新上岗从业人员",
    "bureau_staff": "应急管理部门工作人员",
    "rescue_team": "救援队员",
    "info_officer": "灾害信息员",
    "other": "其他从业人员",
}
KEY_POSTS = ("principal", "safety_manager", "special_operator")  # 三项岗位人员

SECTORS = {
    "coal_mine": "煤矿",
    "non_coal_mine": "非煤矿山",
    "hazchem": "危险化学品",
    "fireworks": "烟花爆竹",
    "metallurgy": "金属冶炼",
    "construction": "建筑施工",
    "general": "其他行业",
    "government": "党政机关与救援队伍",
}
HIGH_RISK_SECTORS = frozenset({"coal_mine", "non_coal_mine", "hazchem", "fireworks", "metallurgy"})

PASS_MARK = 80
FULL_MARKS = 100
YEARLY_TARGET_FUXIN = 8000  # person-times a year, 阜政办发〔2022〕9号 L226
RENEWAL_WINDOW_DAYS = 60
LATE_GRACE_SECONDS = 30  # answers sent this long after the limit still count (network delay)


@dataclass(frozen=True)
class HoursRule:
    initial: int | None
    refresher: int | None
    source: str


def required_hours(post: str, sector: str) -> HoursRule:
    high = sector in HIGH_RISK_SECTORS
    if post in ("principal", "safety_manager"):
        return HoursRule(48, 16, "安全培训规定 第九条（高危行业）") if high else HoursRule(32, 12, "安全培训规定 第九条")
    if post == "new_staff":
        return HoursRule(72, 20, "安全培训规定 第十三条（高危行业）") if high else HoursRule(24, None, "安全培训规定 第十三条")
    if post == "special_operator":
        return HoursRule(None, 8, "特种作业人员安全技术培训考核管理规定（复审前培训，待核实）")
    return HoursRule(None, None, "")


CERTIFICATES = {
    "leader": ("安全生产知识和管理能力考核合格证", 3, None),
    "special": ("特种作业操作证", 6, 3),
}  # kind -> (name, validity years, review every N years)


@dataclass(frozen=True)
class CertificateDates:
    expires_on: date
    review_due_on: date | None


def certificate_dates(kind: str, issued_on: date) -> CertificateDates:
    _, years, review = CERTIFICATES[kind]
    return CertificateDates(add_years(issued_on, years) - timedelta(days=1),
                            add_years(issued_on, review) - timedelta(days=1) if review else None)


def certificate_state(expires_on: date, review_due_on: date | None, today: date, revoked: bool = False) -> tuple[str, str]:
    """(state, label): valid / renew (inside the 60-day window before expiry or review) /
    review_overdue / expired / revoked."""
    if revoked:
        return "revoked", "已注销"
    if today > expires_on:
        return "expired", "已过期"
    if review_due_on is not None and today > review_due_on:
        return "review_overdue", "复审逾期"
    nearest = min(d for d in (expires_on, review_due_on) if d is not None)
    if (nearest - today).days <= RENEWAL_WINDOW_DAYS:
        return "renew", "须办理复审/换证" if nearest == review_due_on else "即将到期，须换证"
    return "valid", "有效"


# ----------------------------------------------------------------------------- exam papers
QUESTION_KINDS = {"single": "单选题", "multiple": "多选题", "judge": "判断题"}
DIFFICULTIES = {1: "易", 2: "中", 3: "难"}
JUDGE_ANSWERS = {"对": "T", "错": "F", "正确": "T", "错误": "F", "T": "T", "F": "F", "√": "T", "×": "F"}


class AssemblyError(ValueError):
    """Not enough questions for a part of the blueprint (Chinese message)."""


@dataclass(frozen=True)
class QuestionRef:
    id: int
    topic: str
    kind: str
    difficulty: int


@dataclass(frozen=True)
class Part:
    count: int
    points: Decimal
    kind: str = ""
    topic: str = ""
    difficulty: int | None = None

    def describe(self) -> str:
        bits = [self.topic or "全部专题", QUESTION_KINDS.get(self.kind, "各题型"),
                DIFFICULTIES.get(self.difficulty, "各难度") if self.difficulty else "各难度"]
        return "／".join(bits)

    def matches(self, q: QuestionRef) -> bool:
        return ((not self.kind or q.kind == self.kind) and (not self.topic or q.topic == self.topic)
                and (self.difficulty is None or q.difficulty == self.difficulty))


def blueprint_total(parts: Sequence[Part]) -> Decimal:
    return sum((p.points * p.count for p in parts), Decimal(0))


def assemble(pool: Iterable[QuestionRef], parts: Sequence[Part], rng: random.Random) -> list[tuple[int, Decimal]]:
    """Draw each part's questions at random from the pool without repeats across parts.
    Returns (question id, points) in paper order. Raises AssemblyError naming the short part."""
    available = sorted(pool, key=lambda q: q.id)
    used: set[int] = set()
    paper: list[tuple[int, Decimal]] = []
    for index, part in enumerate(parts, start=1):
        if part.count <= 0:
            raise AssemblyError(f"第{index}部分题量须大于0")
        candidates = [q for q in available if q.id not in used and part.matches(q)]
        if len(candidates) < part.count:
            raise AssemblyError(f"第{index}部分（{part.describe()}）需要 {part.count} 题，题库中只有 {len(candidates)} 题")
        for q in rng.sample(candidates, part.count):
            used.add(q.id)
            paper.append((q.id, part.points))
    return paper


def normalise_answer(kind: str, text: str) -> str:
    """Answers as stored: letters A–F sorted without separators; 判断题 'T' or 'F'. Raises
    ValueError with a Chinese message."""
    raw = str(text or "").strip().upper().replace(",", "").replace("，", "").replace("、", "").replace(" ", "")
    if kind == "judge":
        value = JUDGE_ANSWERS.get(raw) or JUDGE_ANSWERS.get(str(text or "").strip())
        if value is None:
            raise ValueError("判断题答案应为“对”或“错”")
        return value
    letters = "".join(sorted(set(raw)))
    if not letters or any(ch not in "ABCDEF" for ch in letters):
        raise ValueError("答案应为选项字母 A–F")
    if kind == "single" and len(letters) != 1:
        raise ValueError("单选题只能有一个正确答案")
    if kind == "multiple" and len(letters) < 2:
        raise ValueError("多选题至少有两个正确答案")
    return letters


def display_answer(kind: str, normalised: str) -> str:
    """How an answer reads: 判断题 对/错, choices as letters joined by 、 (A、C、D)."""
    if kind == "judge":
        return {"T": "对", "F": "错"}.get(normalised, normalised)
    return "、".join(normalised)


def score(items: Sequence[tuple[int, str, str, Decimal]], answers: Mapping[str, str]) -> tuple[Decimal, Decimal]:
    """(score, full marks). ``items``: (question id, kind, key, points). A question scores its
    points only when the answer equals the key exactly (多选题 no partial credit — our rule)."""
    got = Decimal(0)
    full = Decimal(0)
    for qid, kind, key, points in items:
        full += points
        given = answers.get(str(qid), "")
        try:
            if given and normalise_answer(kind, given) == normalise_answer(kind, key):
                got += points
        except ValueError:
            continue
    return got, full


def passed(points: Decimal, full: Decimal, pass_mark: int = PASS_MARK) -> bool:
    """Pass marks are out of 100: a paper with other full marks is scaled."""
    if full <= 0:
        return False
    return points * FULL_MARKS >= Decimal(pass_mark) * full


def deadline(started_at: datetime, limit_minutes: int) -> datetime:
    return started_at + timedelta(minutes=limit_minutes)


def accepts_answers(deadline_at: datetime, now: datetime) -> bool:
    return now <= deadline_at + timedelta(seconds=LATE_GRACE_SECONDS)
