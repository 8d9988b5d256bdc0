"""Drill quotas (演练频次): who must drill how often, and whether a subject is satisfied, due
or overdue on a given day.

Two kinds of quota:

* **interval** — at least one drill every N months, the clock running from the last drill or
  from the day the obligation began (the plan's publication), whichever is later;
* **yearly count** — at least K drills per calendar year, spread evenly: with K = 2 the first
  is owed by 30 June and the second by 31 December.

Sources (docs/rules.md, "Drills"): 生产安全事故应急条例 第八条 [A] (governments and
townships every 2 years; high-risk and crowded units every 6 months); 部令第88号/第2号 第三十三条
[B] (every enterprise: a 综合 or 专项 drill yearly, a 现场处置方案 drill every 6 months);
国办发〔2013〕101号 第二十二条 [B] (专项 and 部门 government plans every 3 years, believed
unchanged in 2024). Local quotas come from the deployment profile (Fuxin: 阜政办发〔2022〕9号 L202 —
city ≥1 large drill a year, each county ≥2, each department ≥1 large, key enterprises ≥2).

Pure module: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Quota:
    code: str
    label: str
    interval_months: int | None = None
    per_year: int | None = None
    large_only: bool = False
    source: str = ""

    def describe(self) -> str:
        if self.interval_months:
            years, months = divmod(self.interval_months, 12)
            span = f"{years}年" if not months else f"{self.interval_months}个月"
            return f"每{span}至少1次"
        return f"每年至少{self.per_year}次" + ("大型演练" if self.large_only else "")


QUOTAS = {q.code: q for q in (
    Quota("gov_plan", "政府专项、部门应急预案", interval_months=36,
          source="国办发〔2013〕101号 第二十二条（2024年办法沿用，待核实）"),
    Quota("gov_production", "县级以上政府及部门、乡镇（街道）生产安全事故应急预案", interval_months=24,
          source="生产安全事故应急条例 第八条"),
    Quota("enterprise_plan", "企业综合或专项应急预案", interval_months=12,
          source="生产安全事故应急预案管理办法（应急管理部令第2号）第三十三条"),
    Quota("enterprise_onsite", "企业现场处置方案", interval_months=6,
          source="生产安全事故应急预案管理办法（应急管理部令第2号）第三十三条"),
    Quota("high_risk_unit", "高危行业及人员密集场所经营单位应急预案", interval_months=6,
          source="生产安全事故应急条例 第八条"),
)}
# Local quotas (city_large, county, department_large, key_enterprise: who drills how often in a
# city) are the deployment profile's: yingji/profiles/<name>.toml [[drill_quotas]], built here.
LOCAL_CODES = ("city_large", "county", "department_large", "key_enterprise")


def local_quota(row) -> Quota:
    """A local quota from a profile's [[drill_quotas]] row (code, label, per_year or
    interval_months, large_only, source)."""
    if row["code"] not in LOCAL_CODES:
        raise ValueError(f"未知的本地演练频次代码：{row['code']}")
    return Quota(row["code"], row["label"], interval_months=row.get("interval_months"), per_year=row.get("per_year"),
                 large_only=bool(row.get("large_only", False)), source=row["source"])

STATES = {"satisfied": "已满足", "due": "待完成", "overdue": "已逾期"}
DUE_SOON_DAYS = 60


def plan_quota(kind: str, high_risk: bool) -> str | None:
    """The interval quota for a plan of ``kind`` (None: no drill frequency set by the rules)."""
    if kind == "enterprise_onsite":
        return "enterprise_onsite"
    if kind in ("enterprise_comprehensive", "enterprise_special"):
        return "high_risk_unit" if high_risk else "enterprise_plan"
    if kind in ("special", "department", "joint"):
        return "gov_plan"
    if kind in ("general", "township"):
        return "gov_production"
    return None


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - day 28 always exists


@dataclass(frozen=True)
class Compliance:
    quota: Quota
    state: str
    next_due: date | None
    last: date | None
    done: int  # drills counted in the current period
    needed: int

    @property
    def label(self) -> str:
        return STATES[self.state]

    def to_json(self) -> dict:
        return {"quota": self.quota.code, "quota_label": self.quota.label, "rule": self.quota.describe(),
                "state": self.state, "state_label": self.label, "next_due": self.next_due, "last": self.last,
                "done": self.done, "needed": self.needed, "source": self.quota.source}


def compliance(quota: Quota, drills: list[tuple[date, bool]], today: date, since: date | None = None) -> Compliance:
    """``drills``: (date, is_large) of the subject's drills held so far (future ones ignored)."""
    held = sorted(d for d, large in drills if d <= today and (large or not quota.large_only))
    last = held[-1] if held else None
    if quota.interval_months:
        known = [d for d in (last, since) if d is not None]
        start = max(known) if known else None  # a newly published plan gets a full interval
        if start is None:
            return Compliance(quota, "overdue", today, None, 0, 1)
        due = add_months(start, quota.interval_months)
        state = "overdue" if today > due else "due" if (due - today).days <= DUE_SOON_DAYS else "satisfied"
        return Compliance(quota, state, due, last, 1 if last else 0, 1)
    per_year = quota.per_year or 1
    done = sum(1 for d in held if d.year == today.year)
    deadlines = [add_months(date(today.year, 1, 1), 12 * (i + 1) // per_year) - timedelta(days=1)
                 for i in range(per_year)]
    passed = sum(1 for d in deadlines if today > d)
    if done >= per_year:
        return Compliance(quota, "satisfied", None, last, done, per_year)
    next_due = deadlines[done]
    return Compliance(quota, "overdue" if done < passed else "due", next_due, last, done, per_year)
