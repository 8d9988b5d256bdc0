"""Reads: visible events, the latest report per division, totals up the levels (a level's own
report, else the sum of the nearest reported divisions below it), the per-stage summary and
the relief level computed from the current totals."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from yingji.core import scope
from yingji.core.capabilities import enterprise_bound
from yingji.core.errors import Forbidden, NotAuthenticated, NotFound
from yingji.geo import divcodes
from yingji.rules import relief as relief_rules
from yingji.regions.services import name_of
from yingji.rules.disaster_reports import RELIEF_TIME_TARGETS, STAGES, target_state

from .models import (DECIMAL_FIGURES, FIGURE_NAMES, CasualtyRecord, DisasterEvent, LossReport, ReliefDispatch,
                     ReliefPayment, ReliefTableConfig)


def _ancestors(code: str) -> list[str]:
    found = []
    parent = divcodes.parent_code(code)
    while parent:
        found.append(parent)
        parent = divcodes.parent_code(parent)
    return found


def place_name(code: str) -> str:
    """A division's Chinese name; a village without a name in the reference data (villages are
    accepted below a known township) is named by its township and code."""
    code = divcodes.normalise(code)
    name = name_of(code)
    if name == code and divcodes.level_of(code) == "village":
        return f"{name_of(code[:9].ljust(12, '0'))}辖村（{code}）"
    return name


def can_see_event(event: DisasterEvent, user) -> bool:
    """An event is seen by users in its division's scope and by the bureaus of the divisions it
    affects (a county files its figures into the city's disaster process)."""
    return scope.is_visible(event, user) or any(divcodes.is_within(c, user.region_code)
                                                or divcodes.is_within(user.region_code, c)
                                                for c in event.affected_codes or [])


def visible_events(user):
    own = scope.visible(DisasterEvent.objects.all(), user)
    if enterprise_bound(user):  # enterprise users: only what scope shows them (nothing here)
        return own.select_related("relief_table")
    above = DisasterEvent.objects.filter(division_code__in=_ancestors(divcodes.normalise(user.region_code)))
    shared = [e.pk for e in above.only("pk", "division_code", "affected_codes") if can_see_event(e, user)]
    return (DisasterEvent.objects.filter(pk__in=own.values("pk")) | DisasterEvent.objects.filter(pk__in=shared)
            ).select_related("relief_table").order_by("-start_at", "-id")


def check_can_see_event(event: DisasterEvent, user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAuthenticated("请先登录")
    if enterprise_bound(user) or not can_see_event(event, user):
        raise Forbidden(f"灾害过程“{event}”不在您的管辖范围内（{user.region_code[:6]}），无权访问")


def get_event(user, pk) -> DisasterEvent:
    """An event by id: 404 when missing, 403 when neither its division nor an affected
    division is in the user's scope."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAuthenticated("请先登录")
    try:
        event = DisasterEvent.objects.select_related("relief_table").get(pk=pk)
    except (DisasterEvent.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"灾害过程（编号 {pk}）不存在") from None
    check_can_see_event(event, user)
    return event


def reports_of(event: DisasterEvent, user=None):
    qs = event.reports.order_by("division_code", "sequence")
    return scope.visible(qs, user) if user is not None else qs


def pending_reviews(event: DisasterEvent, user):
    """Reports waiting in 待县级审核 that ``user`` may review: inside the user's area, below
    the user's own level."""
    if user is None or not user.can("disasters.review"):
        return LossReport.objects.none()
    own = divcodes.normalise(user.region_code)
    return (scope.visible(event.reports.filter(review_state="pending"), user).exclude(division_code=own)
            .order_by("report_at", "id"))


def notice_payments(event: DisasterEvent, user, category: str | None, division_code: str) -> list[ReliefPayment]:
    """The payments of one category inside ``division_code`` (a village or township) that a
    public notice lists, in the user's scope."""
    prefix = divcodes.scope_prefix(divcodes.normalise(division_code))
    qs = payments_of(event, user).filter(division_code__startswith=prefix)
    if category:
        qs = qs.filter(category=category)
    return list(qs.order_by("division_code", "head_name", "id"))


def payments_of(event: DisasterEvent, user):
    return scope.visible(ReliefPayment.objects.filter(event=event), user).order_by("category", "division_code", "id")


def latest_by_division(event: DisasterEvent, stage: str | None = None) -> dict[str, LossReport]:
    """Each division's latest report (of ``stage`` when given)."""
    qs = LossReport.objects.filter(event=event, review_state="accepted")  # 待县级审核 counts nowhere yet
    if stage:
        qs = qs.filter(stage=stage)
    latest: dict[str, LossReport] = {}
    for report in qs.order_by("division_code", "sequence"):
        latest[report.division_code] = report
    return latest


def latest_by_events(events) -> dict[int, dict[str, LossReport]]:
    """``latest_by_division`` of many events in one query: ``{event id: {division: report}}``."""
    latest: dict[int, dict[str, LossReport]] = {event.pk: {} for event in events}
    reports = LossReport.objects.filter(event__in=list(latest), review_state="accepted")
    for report in reports.order_by("event", "division_code", "sequence"):
        latest[report.event_id][report.division_code] = report
    return latest


def zero() -> dict:
    return {name: (Decimal(0) if name in DECIMAL_FIGURES else 0) for name in FIGURE_NAMES}


def add(total: dict, figures: dict) -> dict:
    return {name: total[name] + figures[name] for name in FIGURE_NAMES}


def nearest_below(code: str, reported) -> list[str]:
    """The reported divisions strictly inside ``code`` with no reported division between them
    and ``code`` (a township is summed into the city directly when its county has not reported)."""
    inside = [c for c in reported if c != code and divcodes.is_within(c, code)]
    # Each one looks up the others it lies within, not tests every other (a province event's
    # thousand reported divisions, for each part, several times per page).
    others = divcodes.WithinIndex(inside)
    return sorted(c for c in inside if not any(o != c for o in others.containing(c)))


def total_for(code: str, latest: dict[str, LossReport]) -> dict | None:
    """The figures of ``code``: its own latest report, else the sum of the nearest reported
    divisions below it; None when nothing is reported there."""
    if code in latest:
        return latest[code].figures()
    parts = nearest_below(code, latest)
    if not parts:
        return None
    total = zero()
    for part in parts:
        total = add(total, total_for(part, latest))
    return total


def sum_of_parts(event: DisasterEvent, code: str, stage: str | None = None) -> tuple[dict | None, list[str]]:
    latest = latest_by_division(event, stage)
    parts = nearest_below(code, latest)
    if not parts:
        return None, []
    total = zero()
    for part in parts:
        total = add(total, total_for(part, latest))
    return total, parts


def differences_from_parts(event: DisasterEvent, code: str, figures: dict) -> list[dict]:
    """Fields where ``figures`` (a report for ``code``) differ from the current sum of the
    divisions below it; empty when nothing is reported below."""
    total, _ = sum_of_parts(event, code)
    if total is None:
        return []
    return [{"field": name, "reported": str(figures[name]), "sum": str(total[name])}
            for name in FIGURE_NAMES if Decimal(figures[name]) != Decimal(total[name])]


def event_totals(event: DisasterEvent, stage: str | None = None) -> dict | None:
    return total_for(event.division_code, latest_by_division(event, stage))


def stage_summary(event: DisasterEvent, code: str | None = None) -> list[dict]:
    """Per stage: the nearest reported divisions below ``code`` with their figures, their sum,
    the level's own report when there is one, and the fields where the two differ."""
    code = code or event.division_code
    rows = []
    for stage, label in STAGES.items():
        latest = latest_by_division(event, stage)
        parts = nearest_below(code, latest)
        total = None
        if parts:
            total = zero()
            for part in parts:
                total = add(total, total_for(part, latest))
        own = latest.get(code)
        differing = [] if own is None or total is None else [
            n for n in FIGURE_NAMES if Decimal(getattr(own, n)) != Decimal(total[n])]
        rows.append({"stage": stage, "label": label,
                     "parts": [{"code": p, "name": name_of(p), "figures": total_for(p, latest)} for p in parts],
                     "sum": total, "own": own, "differing": differing})
    return rows


def relief_table_for(event: DisasterEvent) -> relief_rules.ReliefTable:
    if event.relief_table_id:
        return event.relief_table.as_table()
    return relief_rules.NATIONAL_2024


def find_table(code: str) -> relief_rules.ReliefTable | None:
    """A shipped table by code, else an active local table entered by a bureau."""
    if code in relief_rules.TABLES:
        return relief_rules.TABLES[code]
    config = ReliefTableConfig.objects.filter(code=code, active=True).first()
    return config.as_table() if config is not None else None


def relief_figures(event: DisasterEvent, totals: dict | None) -> relief_rules.ReliefFigures:
    t = totals or zero()
    return relief_rules.ReliefFigures(
        dead_missing=t["deaths"] + t["missing"],
        relocated_or_needing_aid=t["relocated"] + t["needing_aid"],
        collapsed_severe_rooms=t["collapsed_rooms"] + t["severe_rooms"],
        collapsed_severe_households=t["collapsed_households"] + t["severe_households"],
        drought_aid_people=t["drought_aid_people"],
        agricultural_population=event.agricultural_population,
    )


def relief_for(event: DisasterEvent) -> relief_rules.ReliefLevel:
    """The relief response level from the event's current totals."""
    return relief_rules.relief_level(relief_figures(event, event_totals(event)), relief_table_for(event))


def casualty_check(event: DisasterEvent, user) -> dict:
    """The register against the reported figures for the divisions the user sees: counts of
    dead and missing in the register and in the current totals (they should agree)."""
    register = scope.visible(CasualtyRecord.objects.filter(event=event), user)
    code = event.division_code if scope.is_visible(event, user) else divcodes.normalise(user.region_code)
    totals = total_for(code, latest_by_division(event)) or zero()
    dead = register.filter(status="dead").count()
    missing = register.filter(status="missing").count()
    return {"register_dead": dead, "register_missing": missing, "reported_dead": totals["deaths"],
            "reported_missing": totals["missing"],
            "consistent": dead == totals["deaths"] and missing == totals["missing"], "people": register}


def logistics(event: DisasterEvent, user) -> dict:
    """Each dispatch against the 4 h / 8 h targets, and the first emergency assistance against
    the 10 h basic-aid target (from the event's start)."""
    now = timezone.now()
    rows = []
    for d in scope.visible(ReliefDispatch.objects.filter(event=event), user).select_related("warehouse"):
        load = target_state(d.ordered_at, d.loaded_at, RELIEF_TIME_TARGETS["load"], now)
        deliver = target_state(d.ordered_at, d.delivered_at, RELIEF_TIME_TARGETS["deliver"], now)
        rows.append({"dispatch": d, "load": load, "deliver": deliver})
    first = (ReliefPayment.objects.filter(event=event, category="emergency").order_by("paid_at")
             .values_list("paid_at", flat=True).first())
    aid = target_state(event.start_at, first, RELIEF_TIME_TARGETS["basic_aid"], now)
    return {"dispatches": rows, "basic_aid": aid, "targets": RELIEF_TIME_TARGETS}
