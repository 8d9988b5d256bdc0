"""Demo: this month's rosters (three tiers) for the city and county duty rooms, phone book,
today's daily reports from some counties (the rest show as not reported), the last days'
handovers (today's still waiting for the incoming shift). Synthetic."""

from __future__ import annotations

import calendar
import datetime as dt
import random

from django.utils import timezone

from yingji.demo import profile
from yingji.demo.steps import SEED, demo_step
from yingji.regions.models import Organisation

from yingji.accounts.models import User

from .models import DailyReport, DutyRoster, DutyShift, Handover, PhoneEntry

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def _people(rng: random.Random, count: int, role: str) -> list[tuple[str, str]]:
    return [(f"{rng.choice(SURNAMES)}{role}{i + 1}（示例）", profile.mobile(profile.current(), "139", rng.randint(1000, 9999))) for i in range(count)]


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
    entries = [PhoneEntry(name="值班室", unit=o.name, duty_phone=o.duty_phone or profile.landline(profile.current(), 0),
                          office_phone=o.duty_phone, notes="合成示例号码", division_code=o.division_code, is_synthetic=True)
               for o in Organisation.objects.filter(kind__in=["bureau", "department"], is_synthetic=True)]
    PhoneEntry.objects.bulk_create(entries)
    today = timezone.localdate()
    reported = 0
    for unit in Organisation.objects.filter(kind="bureau", is_synthetic=True).exclude(division_code=profile.current().root12):
        if rng.random() < 0.6:
            DailyReport.objects.create(organisation=unit, report_date=today, is_zero=True, submitted_at=timezone.now(),
                                       summary="", division_code=unit.division_code, is_synthetic=True)
            reported += 1
    return len(entries) + reported


HANDOVER_NOTES = [
    ("夜间接报 2 起（均为一般信息），已按程序报送；监测报警 1 条已确认处置。（示例）", "关注明日大风天气，跟踪氟化工园区检修动火作业。（示例）"),
    ("本班无突发事件报告，系统运行正常，完成例行视频点名。（示例）", "核对下周防汛值班表，通知水利局报送水情。（示例）"),
    ("接市局转发暴雨预警 1 条，已向各乡镇传达并落实叫应。（示例）", "跟踪尾矿库巡查结果，次日 9 时前回报。（示例）"),
]


@demo_step(32, "交接班记录（近三日）")
def load_handovers() -> int:
    """Each duty room's handovers of the last three mornings from the roster's officers; the older
    ones confirmed by the room's own staff, today's waiting for the incoming shift to confirm."""
    if Handover.objects.filter(is_synthetic=True).exists():
        return 0
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    made = []
    for unit in Organisation.objects.filter(kind="bureau", is_synthetic=True).order_by("division_code"):
        staff = User.objects.filter(region_code=unit.division_code, role__in=["duty_officer", "county_admin", "city_admin"]
                                    ).order_by("role", "username").first()
        for back in (2, 1, 0):
            day = today - dt.timedelta(days=back)
            start = dt.datetime.combine(day, dt.time(8, 30), tz)
            officers = list(DutyShift.objects.filter(roster__organisation=unit, tier="officer", starts_at__in=[
                start - dt.timedelta(days=1), start]).order_by("starts_at").values_list("person_name", flat=True))
            if len(officers) < 2:
                continue
            summary, pending = HANDOVER_NOTES[(back + unit.pk) % len(HANDOVER_NOTES)]
            confirmed = back > 0 and staff is not None
            made.append(Handover(organisation=unit, outgoing_name=officers[0], incoming_name=officers[1],
                                 handed_over_at=start, summary=summary, pending_items=pending,
                                 acknowledged_by=staff if confirmed else None,
                                 acknowledged_at=start + dt.timedelta(minutes=12) if confirmed else None,
                                 acknowledge_note="已接班，待办已知悉（示例）" if confirmed else "",
                                 division_code=unit.division_code, is_synthetic=True))
    Handover.objects.bulk_create(made)
    return len(made)
