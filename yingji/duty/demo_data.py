"""Demo: this month's rosters (three tiers) for the city and county duty rooms, phone book,
today's daily reports from some counties (the rest show as not reported). Synthetic."""

from __future__ import annotations

import calendar
import datetime as dt
import random

from django.utils import timezone

from yingji.demo.steps import SEED, demo_step
from yingji.regions.models import Organisation

from .models import DailyReport, DutyRoster, DutyShift, PhoneEntry

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def _people(rng: random.Random, count: int, role: str) -> list[tuple[str, str]]:
    return [(f"{rng.choice(SURNAMES)}{role}{i + 1}（示例）", f"1390418{rng.randint(1000, 9999)}") for i in range(count)]


@demo_step(30, "值班表（本月）")
def load_rosters() -> int:
    if DutyRoster.objects.filter(is_synthetic=True).exists():
        return 0
    rng = random.Random(SEED + 30)
    month = timezone.localdate().replace(day=1)
    days = calendar.monthrange(month.year, month.month)[1]
    tz = timezone.get_current_timezone()
    units = list(Organisation.objects.filter(kind="bureau", is_synthetic=True).order_by("division_code"))
    shifts = []
    for unit in units:
        roster = DutyRoster.objects.create(organisation=unit, month=month, division_code=unit.division_code,
                                           notes="合成示例排班", is_synthetic=True)
        crew = {"leader": _people(rng, 4, "局长"), "chief": _people(rng, 3, "科长"), "officer": _people(rng, 6, "值班员")}
        for index in range(days):
            start = dt.datetime.combine(month + dt.timedelta(days=index), dt.time(8, 30), tz)
            for tier, names in crew.items():
                name, phone = names[index % len(names)]
                shifts.append(DutyShift(roster=roster, tier=tier, person_name=name, phone=phone, starts_at=start,
                                        ends_at=start + dt.timedelta(days=1), division_code=unit.division_code,
                                        is_synthetic=True))
        # The last day of the previous month's shift covers this month's first morning until 08:30.
        prev_start = dt.datetime.combine(month - dt.timedelta(days=1), dt.time(8, 30), tz)
        prev = DutyRoster.objects.create(organisation=unit, month=(month - dt.timedelta(days=1)).replace(day=1),
                                         division_code=unit.division_code, notes="合成示例排班", is_synthetic=True)
        for tier, names in crew.items():
            name, phone = names[-1]
            shifts.append(DutyShift(roster=prev, tier=tier, person_name=name, phone=phone, starts_at=prev_start,
                                    ends_at=prev_start + dt.timedelta(days=1), division_code=unit.division_code,
                                    is_synthetic=True))
    DutyShift.objects.bulk_create(shifts, batch_size=500)
    return len(shifts)


@demo_step(31, "值班通讯录与值班日报")
def load_phone_book_and_daily() -> int:
    if PhoneEntry.objects.filter(is_synthetic=True).exists():
        return 0
    rng = random.Random(SEED + 31)
    entries = [PhoneEntry(name="值班室", unit=o.name, duty_phone=o.duty_phone or "0418-0000000",
                          office_phone=o.duty_phone, notes="合成示例号码", division_code=o.division_code, is_synthetic=True)
               for o in Organisation.objects.filter(kind__in=["bureau", "department"], is_synthetic=True)]
    PhoneEntry.objects.bulk_create(entries)
    today = timezone.localdate()
    reported = 0
    for unit in Organisation.objects.filter(kind="bureau", is_synthetic=True).exclude(division_code="210900000000"):
        if rng.random() < 0.6:
            DailyReport.objects.create(organisation=unit, report_date=today, is_zero=True, submitted_at=timezone.now(),
                                       summary="", division_code=unit.division_code, is_synthetic=True)
            reported += 1
    return len(entries) + reported
