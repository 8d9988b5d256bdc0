"""Reads: active warnings (own and imported), their map shapes, the coverage report."""

from __future__ import annotations

import bisect
from collections import defaultdict

from django.db.models import Count, Min, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from yingji.core import scope
from yingji.geo import divcodes
from yingji.regions.models import Division
from yingji.regions.services import name_of
from yingji.rules import warning_coverage
from yingji.rules import warning_workflow as wf
from yingji.rules.warning_levels import level_info

from . import batches, bulk, targeting
from .models import CHANNELS, AreaPopulation, CapImport, Delivery, ImportedAlert, Warning

LEVEL_COLORS = {1: "#d32f2f", 2: "#f57c00", 3: "#fbc02d", 4: "#1976d2"}


def visible_warnings(user):
    return scope.visible(Warning.objects.select_related("supersedes"), user)


def active_warnings():
    """Published, real (not drill/test), not lifted and not expired."""
    return (Warning.objects.filter(state=wf.PUBLISHED, cap_status="Actual", expires__gt=timezone.now())
            .exclude(kind="lift").order_by("level", "-sent"))


def recently_ended(days: int = 7):
    since = timezone.now() - timezone.timedelta(days=days)
    return Warning.objects.filter(cap_status="Actual", sent__gte=since).filter(
        Q(kind="lift", state__in=[wf.PUBLISHED, wf.SUPERSEDED]) | Q(state=wf.PUBLISHED, expires__lte=timezone.now())
    ).order_by("-sent")


def visible_imported(user, qs=None):
    """Imported alerts a console user sees: those for a division in their scope, those for a
    division containing their region (a provincial or city alert covers a county), and external
    ones — with no Chinese area code (national or foreign messages) or for another province.
    Hidden: alerts for another county or city of the user's own province."""
    qs = ImportedAlert.objects.all() if qs is None else qs
    covering = [user.region_code, *targeting.ancestors(user.region_code)]
    province = user.region_code[:2]
    return qs.filter(Q(division_code="") | ~Q(division_code__startswith=province)
                     | Q(division_code__startswith=divcodes.scope_prefix(user.region_code)) | Q(division_code__in=covering))


def visible_imports(user, qs=None):
    """CAP receipt records a console user sees: their own uploads and those of users in their
    scope, polls of feeds filed in their scope, and any record that brought an alert they see."""
    qs = CapImport.objects.all() if qs is None else qs
    prefix = divcodes.scope_prefix(user.region_code)
    ids = visible_imported(user).values("cap_import_id")
    return qs.filter(Q(imported_by__region_code__startswith=prefix) | Q(feed__division_code__startswith=prefix)
                     | Q(pk__in=ids)).distinct()


def active_imported():
    now = timezone.now()
    return (ImportedAlert.objects.filter(state="active", status="Actual").exclude(msg_type="Cancel")
            .filter(Q(expires__isnull=True) | Q(expires__gt=now)).order_by("-sent"))


def _division_geometries(codes: list[str]) -> list:
    return [shape(g) for g in Division.objects.filter(code__in=codes, geometry__isnull=False).values_list("geometry", flat=True)]


def area_geometry(warning):
    """Everything the warning covers as one geometry (divisions + drawn area), or None."""
    parts = _division_geometries(list(warning.area_codes or []))
    drawn = targeting.drawn_geometry(warning)
    if drawn is not None:
        parts.append(drawn)
    return unary_union(parts) if parts else None


def warning_feature(warning, url: str) -> dict | None:
    geometry = area_geometry(warning)
    if geometry is None:
        return None
    info = level_info(warning.level)
    return {"type": "Feature", "geometry": mapping(geometry.simplify(0.002)),
            "properties": {"id": warning.pk, "name": warning.title, "level": warning.level, "color": LEVEL_COLORS[warning.level],
                           "popup": f"{warning.area_desc}｜{info.color}预警｜失效：{timezone.localtime(warning.expires):%m-%d %H:%M}",
                           "instruction": warning.instruction, "url": url, "source": "own"}}


def imported_feature(alert: ImportedAlert) -> dict | None:
    geometry = alert.geometry
    if geometry is None and alert.division_code:
        shapes = _division_geometries([alert.division_code])
        geometry = mapping(shapes[0]) if shapes else None
    if geometry is None:
        return None
    return {"type": "Feature", "geometry": geometry,
            "properties": {"id": alert.pk, "name": f"[外部] {alert}", "level": alert.level,
                           "color": LEVEL_COLORS.get(alert.level, "#6a1b9a"),
                           "popup": f"{alert.sender_name or alert.sender}｜{alert.area_desc}",
                           "instruction": alert.instruction, "url": reverse("warnings:imported", args=[alert.pk]), "source": "imported"}}


def map_features(user=None) -> dict:
    """Active own warnings and active imported alerts (links to the console when a user is given)."""
    # Active real warnings are public information: every user sees all of them.
    features = [warning_feature(w, reverse("warnings:detail", args=[w.pk]) if user is not None
                                else f"{reverse('warnings:public')}#w{w.pk}")
                for w in active_warnings()]
    features += [imported_feature(a) for a in active_imported()[:200]]
    return {"type": "FeatureCollection", "features": [f for f in features if f]}


def header_widget(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    count = active_warnings().count()
    if not count:
        return ""
    return format_html('<a class="tag" href="{}" data-testid="active-warnings">生效预警 {}</a>', reverse("warnings:list"), count)


# --- coverage ----------------------------------------------------------------------------------


def area_population(warning) -> tuple[int, list[str]]:
    """Population of the warning's divisions (most specific rows, no double counting)."""
    codes = targeting.area_divisions(warning)
    # Sorted by code (unique): an exact row by key, the rows inside a division as one slice. Scanning
    # every row twice per division took 0.18 s for 98 counties over 13,230 village rows, and grows
    # with the divisions: seconds for a warning drawn over townships.
    rows = list(AreaPopulation.objects.order_by("division_code").values_list("division_code", "population"))
    keys, exact = [c for c, _ in rows], dict(rows)
    total, used = 0, []
    for code in codes:
        if code in exact:
            total += exact[code]
            used.append(code)
            continue
        low, high = targeting.code_range(code)
        inner = rows[bisect.bisect_left(keys, low):bisect.bisect_right(keys, high)]
        total += sum(p for _, p in inner)
        used += [c for c, _ in inner]
    return total, used


def coverage(warning) -> dict:
    """What the delivery records say: per channel targeted / accepted / delivered / failed / waiting,
    the channels that did not send and why, per county, and the plans' 90 % public-coverage rule."""
    qs = Delivery.objects.filter(warning=warning)
    by_channel = defaultdict(lambda: defaultdict(int))
    for row in qs.values("channel", "status").annotate(n=Count("id")):
        by_channel[row["channel"]][row["status"]] += row["n"]
    by_county = defaultdict(lambda: defaultdict(int))
    public = qs.filter(recipient_kind="public")
    for row in public.annotate(county=Substr("division_code", 1, 6)).values("county", "status").annotate(n=Count("id")):
        by_county[row["county"]][row["status"]] += row["n"]
    population, _ = area_population(warning)
    public_counts = defaultdict(int)
    for row in public.values("status").annotate(n=Count("id")):
        public_counts[row["status"]] = row["n"]
    for row in batches.unsent(warning.pk):  # listed in batches, not yet handed to a sender
        by_channel[row["channel"]][row["status"]] += row["n"]
        if row["recipient_kind"] == "public":
            by_county[row["county_code"]][row["status"]] += row["n"]
            public_counts[row["status"]] += row["n"]
    reached = public_counts["sent"] + public_counts["delivered"]
    targeted = sum(public_counts.values())
    channels = channel_rows(warning, qs, by_channel)
    waiting = any(c["queued"] for c in channels)
    return {
        "population": population,
        "public_targeted": targeted,
        "public_reached": reached,
        "public_delivered": public_counts["delivered"],
        "reach_ratio": (reached / population) if population else None,
        "targeted_ratio": (targeted / population) if population else None,
        "by_channel": {k: _totals(v) for k, v in by_channel.items()},
        "by_county": {k: _totals(v) for k, v in sorted(by_county.items())},
        "counties": [{"code": k, "name": name_of(k.ljust(12, "0")), **_totals(v)} for k, v in sorted(by_county.items())],
        "channels": channels,
        "problems": [c["problem"] for c in channels if c["state"] in ("not_sent", "failing")],
        "notes": [c["problem"] for c in channels if c["state"] == "partial"],
        "rule": coverage_rule(warning, reached, population, waiting),
        "sending": waiting,
        "targeting": targeting_state(warning),
    }


def unsent_count(warning) -> int:
    """Recipients not yet sent that 停止发送 would cancel: queued deliveries and pending batches."""
    listed = sum(row["n"] for row in batches.unsent(warning.pk) if row["status"] == "queued")
    return listed + Delivery.objects.filter(warning=warning, status="queued").count()


TARGETING_STATES = {"queued": "排队等待生成", "running": "正在生成", "retrying": "出错，等待重试", "done": "已生成",
                    "failed": "生成失败", "stopped": "已停止"}


def targeting_state(warning) -> dict:
    """How the delivery list was built (warnings.bulk): status, summary line, error."""
    state = dict((warning.dissemination or {}).get("targeting") or {})
    if not state:
        return {}
    state["status_label"] = TARGETING_STATES.get(state.get("status"), "")
    state["summary"] = bulk.summary_text(state) if state.get("status") in ("done", "stopped") else ""
    state.setdefault("error", "")
    state["in_progress"] = state.get("mode") == "background" and state.get("status") in ("queued", "running", "retrying")
    return state


def coverage_rule(warning, reached: int, population: int, waiting: bool) -> dict:
    """The plans' rule 预警信息公众覆盖率 ≥90 % for this warning (rules/warning_coverage.py)."""
    verdict = warning_coverage.assess(reached, population)
    reason = verdict.reason
    label, state = verdict.label, verdict.verdict
    if warning.cap_status != "Actual":
        label, state, reason = "不适用", "not_applicable", f"{warning.get_cap_status_display()}消息不向公众发布，不计公众覆盖率"
    elif waiting and verdict.verdict != warning_coverage.MET:
        reason += "；仍在发送，数字会随送达更新"
    return {"text": warning_coverage.RULE_TEXT, "source": warning_coverage.RULE_SOURCE,
            "target_percent": warning_coverage.TARGET_PERCENT, "verdict": state, "label": label,
            "met": verdict.met if state != "not_applicable" else None, "ratio": verdict.ratio,
            "percent": warning_coverage.percent_text(verdict.ratio), "reached": reached, "population": population,
            "reason": reason}


def channel_rows(warning, qs, by_channel) -> list[dict]:
    """One row per channel the warning asked for (and any other that has deliveries), in the
    order of CHANNELS, with its state: 已完成 / 发送中 / 发送失败 / 未发送 / 无接收对象."""
    skipped = (warning.dissemination or {}).get("skipped", {})
    wanted = set(warning.channels or []) | set(by_channel)
    retrying = defaultdict(int)
    next_try = {}
    for row in (qs.filter(status="queued", attempts__gt=0).values("channel")
                .annotate(n=Count("id"), next=Min("next_attempt_at"))):
        retrying[row["channel"]], next_try[row["channel"]] = row["n"], row["next"]
    errors = defaultdict(list)
    for row in (qs.filter(Q(status="failed") | Q(status="queued", attempts__gt=0)).exclude(last_error="")
                .values("channel", "last_error").annotate(n=Count("id")).order_by("-n")):
        errors[row["channel"]].append((row["last_error"], row["n"]))
    rows = []
    for key, label in CHANNELS:
        if key not in wanted:
            continue
        counts = _totals(by_channel.get(key, {}))
        queued = counts.get("queued", 0) + counts.get("sending", 0)
        row = {"channel": key, "label": label, "targeted": counts["targeted"], "sent": counts.get("sent", 0),
               "delivered": counts.get("delivered", 0), "failed": counts.get("failed", 0), "queued": queued,
               "retrying": retrying[key], "cancelled": counts.get("cancelled", 0), "reached": counts["reached"],
               "ratio": (counts["reached"] / counts["targeted"]) if counts["targeted"] else None,
               "errors": [{"error": e, "count": n} for e, n in errors[key][:3]], "problem": ""}
        row["percent"] = warning_coverage.percent_text(row["ratio"])
        if key in skipped and not counts["targeted"]:
            row["state"], row["problem"] = "not_sent", f"{label}未发送：{skipped[key]}"
        elif row["failed"] or row["retrying"]:
            # The channel fails (gateway down, errors: retries pending, or nothing got through), or
            # only some recipients were refused (e.g. 空号) while the rest went out.
            failing = row["retrying"] or not (row["reached"] or queued)
            row["state"] = "failing" if failing else "partial"
            reason = errors[key][0][0] if errors[key] else "原因不明"
            parts = [f"{row['failed']} 条已失败"] if row["failed"] else []
            if row["retrying"]:
                when = timezone.localtime(next_try[key]).strftime("%H:%M:%S") if next_try.get(key) else "—"
                parts.append(f"{row['retrying']} 条待重试（下次 {when}）")
            row["problem"] = (f"{label}发送失败：{reason}；{'，'.join(parts)}" if failing
                              else f"{label}部分未送达：{reason}；{'，'.join(parts)}，其余已发出")
        elif not counts["targeted"]:
            row["state"] = "no_recipients"
        elif queued:
            row["state"] = "sending"
        else:
            row["state"] = "done"
        row["state_label"] = CHANNEL_STATES[row["state"]]
        rows.append(row)
    return rows


CHANNEL_STATES = {"done": "已完成", "sending": "发送中", "failing": "发送失败", "partial": "部分未送达", "not_sent": "未发送",
                  "no_recipients": "区域内无接收对象"}


def _totals(counts: dict) -> dict:
    counts = dict(counts)
    counts["targeted"] = sum(counts.values())
    counts["reached"] = counts.get("sent", 0) + counts.get("delivered", 0)
    return counts
