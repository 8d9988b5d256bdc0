"""Reporting time limits of a disaster process, counted by the deadline engine incidents use
(``rules.deadlines``: rule rows, due-time arithmetic, the overdue test), from the rows of
``rules.disaster_reports``:

* 初报, each county: 2 h from the disaster's start, met when the county's first 初报 reaches
  the city (a report filed by the county, or a 灾害信息员's report once the county accepted it);
* 初报, the city (an event owned by a city): 2 h from the first county 初报 received, met by
  the city's own 初报 (its figure for the province);
* 每日灾情（零）报告 while the event runs 24-hour zero reporting (``daily_reporting``), until
  灾情稳定: each county by 09:00 and the city by 10:00 of every day after the start, met by
  any report of that division (or inside the county) filed that day;
* 核报, each county: 2 working days from 灾情稳定, met by the county's own 核报; the city: 3
  working days from the last county 核报, met by the city's own 核报.

``rows`` gives every row with its state; ``open_rows`` the ones still to do for the duty board
(值班台) and the reminder job, which alerts each one once 30 minutes before it falls due and
once when it is overdue (live push on the ``deadlines`` channel, with sound when overdue)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from yingji.geo import divcodes
from yingji.live.services import publish
from yingji.regions.services import name_of
from yingji.rules import deadlines as engine
from yingji.rules import disaster_reports as dr

from .models import DeadlineAlert, DisasterEvent, LossReport

REMIND_BEFORE = dt.timedelta(minutes=30)
STATE_LABELS = {"met": "按时", "late": "超时报送", "overdue": "已超时", "running": "计时中"}


@dataclass(frozen=True)
class DeadlineRow:
    event: DisasterEvent
    division: str  # the reporting division (county or city)
    stage: str  # initial / final / daily
    deadline: engine.Deadline
    done: dt.datetime | None
    text: str  # how the limit is counted, in Chinese

    @property
    def due(self) -> dt.datetime:
        return self.deadline.due_at

    @property
    def county(self) -> str:  # kept for the pages that group by county
        return self.division

    @property
    def label(self) -> str:
        return f"{name_of(self.division)}{self.deadline.label.removeprefix('县级').removeprefix('市级')}"

    @property
    def key(self) -> str:
        return f"{self.division}:{self.deadline.kind}:{self.due.isoformat()}"

    def state_at(self, now: dt.datetime) -> str:
        if engine.overdue(self.deadline, self.done, now):
            return "late" if self.done is not None else "overdue"
        return "met" if self.done is not None else "running"

    @property
    def state(self) -> str:
        return self.state_at(timezone.now())

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def counties_of(event: DisasterEvent) -> list[str]:
    """The counties that report for the event: the event's own county, or the counties of its
    affected divisions."""
    if divcodes.level_of(event.division_code) in ("county", "township", "village"):
        return [event.division_code[:6].ljust(12, "0")]
    return sorted({c[:6].ljust(12, "0") for c in event.affected_codes or []
                   if divcodes.level_of(c) in ("county", "township", "village")})


def _submitted(report: LossReport) -> dt.datetime | None:
    """When a report reached the level above: filed by the bureau, or accepted by the county."""
    if report.review_state != "accepted":
        return None
    return max(report.report_at, report.reviewed_at) if report.reviewed_at else report.report_at


class _Firsts:
    """The first submission of each (division, stage) and of each (division, local day), of the
    division's own reports (``exact``) and of the reports inside it (``within``, for counties):
    one pass over the event's reports. A month of daily county and township reports is thousands
    of reports; scanning them all for every county and every day took seconds per event, on the
    home page, the duty board and the reminder job."""

    def __init__(self, reports: list[tuple[str, str, dt.datetime]], counties: list[str]):
        self.exact: dict[tuple, dt.datetime] = {}
        self.within: dict[tuple, dt.datetime] = {}
        counties_of_code = divcodes.WithinIndex(counties)
        for code, stage, at in reports:
            day = at.astimezone(dr.BEIJING).date()
            self._keep(self.exact, (code, stage), at)
            self._keep(self.exact, (code, day), at)
            for county in counties_of_code.containing(code):
                self._keep(self.within, (county, stage), at)
                self._keep(self.within, (county, day), at)

    @staticmethod
    def _keep(firsts: dict, key: tuple, at: dt.datetime) -> None:
        if key not in firsts or at < firsts[key]:
            firsts[key] = at


def rows(event: DisasterEvent, now: dt.datetime | None = None) -> list[DeadlineRow]:
    now = now or timezone.now()
    reports = [(r.division_code, r.stage, _submitted(r)) for r in event.reports.all()]
    reports = [(code, stage, at) for code, stage, at in reports if at is not None]
    result: list[DeadlineRow] = []
    counties = counties_of(event)
    city = event.division_code if divcodes.level_of(event.division_code) == "city" else None
    firsts = _Firsts(reports, counties)

    def stage_row(division, stage, level, start, done):
        row = dr.stage_deadline(stage, level)
        result.append(DeadlineRow(event, division, stage, dr.stage_deadline_for(row, start), done, row.text))

    county_initials = [firsts.within.get((county, dr.INITIAL)) for county in counties]
    for county, done in zip(counties, county_initials):
        stage_row(county, dr.INITIAL, "county", event.start_at, done)
    if city and any(county_initials):
        stage_row(city, dr.INITIAL, "city", min(t for t in county_initials if t), firsts.exact.get((city, dr.INITIAL)))
    if event.daily_reporting:
        result.extend(_daily_rows(event, counties, city, firsts, now))
    if event.stabilised_at:
        finals = []
        for county in counties:
            done = firsts.exact.get((county, dr.FINAL))
            finals.append(done)
            stage_row(county, dr.FINAL, "county", event.stabilised_at, done)
        if city and finals and all(finals):
            stage_row(city, dr.FINAL, "city", max(finals), firsts.exact.get((city, dr.FINAL)))
    return sorted(result, key=lambda r: (r.due, r.division))


def _daily_rows(event, counties, city, firsts: _Firsts, now) -> list[DeadlineRow]:
    """One row per reporting division and day after the start, until 灾情稳定 (or tomorrow): met by
    the first report of that Beijing day inside the county, or of the city itself."""
    found = []
    local_start = timezone.localtime(event.start_at, dr.BEIJING).date()
    end = event.stabilised_at or now + dt.timedelta(days=1)
    day = local_start + dt.timedelta(days=1)
    divisions = [(c, "county", firsts.within) for c in counties] + ([(city, "city", firsts.exact)] if city else [])
    while dt.datetime.combine(day, dt.time(0), dr.BEIJING) < end:
        for division, level, first in divisions:
            deadline = dr.zero_report_deadline(level, day)
            text = f"每日{dr.ZERO_REPORT_TIMES[level]:%H:%M}前（前一日24时数据）"
            found.append(DeadlineRow(event, division, "daily", deadline, first.get((division, day)), text))
        day += dt.timedelta(days=1)
    return found


def event_deadlines(event: DisasterEvent) -> list[DeadlineRow]:
    return rows(event)


def open_events(queryset=None):
    """Events whose reporting may still be running: not yet stabilised, or stabilised within
    the last month (核报 limits)."""
    qs = DisasterEvent.objects.all() if queryset is None else queryset
    recent = timezone.now() - dt.timedelta(days=30)
    return qs.filter(Q(stabilised_at__isnull=True, start_at__gte=timezone.now() - dt.timedelta(days=90))
                     | Q(stabilised_at__gte=recent))


def open_rows(events, user=None, now=None) -> list[DeadlineRow]:
    """Rows still to do (running or overdue), for the divisions ``user`` answers for or
    oversees (a county sees its own rows, a city its counties' and its own)."""
    now = now or timezone.now()
    found = []
    for event in events:
        for row in rows(event, now):
            if row.done is not None:
                continue
            if user is not None and not divcodes.is_within(row.division, user.region_code):
                continue
            found.append(row)
    return sorted(found, key=lambda r: r.due)


def overdue_for(events) -> list[tuple[DisasterEvent, DeadlineRow]]:
    now = timezone.now()
    return [(row.event, row) for row in open_rows(events, now=now) if row.state_at(now) == "overdue"]


def check_deadlines(now: dt.datetime | None = None) -> int:
    """Alert each open row once when it is 30 minutes from due and once when overdue (claimed
    in ``DeadlineAlert`` so that several workers never alert twice). Returns alerts sent."""
    now = now or timezone.now()
    sent = 0
    for row in open_rows(list(open_events()[:200]), now=now):
        if row.state_at(now) == "overdue":
            kind, text = "overdue", (f"【超时】{row.event.title}：{row.label}已超过截止时间"
                                     f"（{timezone.localtime(row.due):%m-%d %H:%M}），请立即报送")
        elif row.due - now <= REMIND_BEFORE:
            kind, text = "reminder", (f"【提醒】{row.event.title}：{row.label}将于"
                                      f"{timezone.localtime(row.due):%m-%d %H:%M}到期")
        else:
            continue
        try:
            with transaction.atomic():
                DeadlineAlert.objects.create(event=row.event, key=row.key[:80], kind=kind)
        except IntegrityError:
            continue  # alerted before (or by another worker)
        publish("deadlines", kind, {"text": text, "title": row.event.title, "label": row.label,
                                    "due_at": row.due.isoformat(), "sound": kind == "overdue",
                                    "url": reverse("disaster-detail", args=[row.event.pk])},
                division_code=row.division)
        sent += 1
    return sent
