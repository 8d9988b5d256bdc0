"""Console pages of monitoring (mounted at /monitoring/): the duty room's live view, alarm
list and detail with the lifecycle actions, sensor trends, a page per enterprise, the
quarantine, and the one-map overlay of alarm states."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Min
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yingji.audit.services import history_of
from yingji.core import scope
from yingji.core.errors import NotFound, ServiceError
from yingji.core.views import render_error, service_view
from yingji.regions.models import Enterprise
from yingji.regions.services import full_name
from yingji.rules import alarm_lifecycle as lifecycle
from yingji.rules import monitoring as rules

from . import alarms as alarm_services
from . import selectors
from .models import Alarm, MonitoredObject, QuarantinedMessage

KIND_TO_INCIDENT_TYPE = {
    "hazard_source": "accident.hazchem", "tank": "accident.hazchem", "warehouse": "accident.hazchem",
    "tailings_pond": "accident.non_coal_mine", "mine": "accident.non_coal_mine", "abandoned_pit": "natural.geological",
    "geohazard": "natural.geological", "river_gauge": "natural.flood", "reservoir": "natural.flood",
    "flood_point": "natural.flood", "weather_station": "natural.meteorological", "seismic_station": "natural.earthquake",
    "eew_station": "natural.earthquake",
}


@service_view
def console(request):
    """值班监测台: open alarms (live over SSE, with sound) and live values."""
    open_alarms = selectors.alarms_for(request.user, {"open": "1"})[:200]
    counts = dict(selectors.alarms_for(request.user, {"open": "1"}).values_list("level").annotate(n=Count("id")).order_by())
    return render(request, "monitoring/console.html", {
        "alarms": [selectors.alarm_json(a, user=request.user) for a in open_alarms],
        "level_counts": [(lv, rules.LEVEL_NAMES[lv], counts.get(lv, 0), alarm_services.COLOR_NAMES[lv]) for lv in rules.LEVELS],
        "scope_name": full_name(request.user.region_code),
    })


@service_view
def alarm_list(request):
    qs = selectors.alarms_for(request.user, request.GET)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "monitoring/alarm_list.html", {
        "page": page, "states": lifecycle.STATES.items(), "levels": rules.LEVEL_NAMES.items(),
        "params": request.GET, "query": query.urlencode(),
    })


def incident_link(alarm: Alarm) -> str:
    """The incidents intake page pre-filled from the alarm."""
    obj = alarm.monitored_object
    params = {
        "source": "monitoring", "alarm": alarm.pk,
        "title": f"{obj.name}{alarm.sensor.get_kind_display()}{rules.LEVEL_NAMES[alarm.level]}报警",
        "type_code": KIND_TO_INCIDENT_TYPE.get(obj.kind, ""),
        "occurred_at": timezone.localtime(alarm.raised_at).strftime("%Y-%m-%dT%H:%M"),
        "address": obj.name, "caller_unit": obj.owner_unit or (obj.enterprise.name if obj.enterprise_id else ""),
        "description": f"监测报警：{alarm_services.describe(alarm)}（报警时间 {timezone.localtime(alarm.raised_at):%Y-%m-%d %H:%M:%S}）",
        "division_code": alarm.division_code, "lon": obj.lon or "", "lat": obj.lat or "",
        "enterprise_id": obj.enterprise_id or "",
    }
    # The incidents app's intake page, pre-filled from query parameters (see docs/monitoring.md).
    return f"{reverse('incident-intake')}?{urlencode(params)}"


@service_view
def alarm_detail(request, pk):
    alarm = alarm_services.get_alarm(request.user, pk)
    return render(request, "monitoring/alarm_detail.html", {
        "alarm": alarm, "data": selectors.alarm_json(alarm, user=request.user), "history": history_of(alarm)[:30],
        "incident_link": incident_link(alarm), "division_name": full_name(alarm.division_code),
        "threshold": alarm_services.threshold_of(alarm.sensor, alarm),
        "can_incident": request.user.can("incidents.report"),
    })


@require_POST
@service_view
def alarm_act(request, pk):
    action = request.POST.get("action", "")
    try:
        alarm = alarm_services.transition(request.user, pk, action, request.POST.get("note", ""),
                                          expected_version=request.POST.get("version") or None)
    except ServiceError as exc:
        if exc.status in (401, 403, 404):
            return render_error(request, exc.status, exc.message)
        messages.error(request, exc.message)
        return redirect("monitoring-alarm", pk=pk)
    messages.success(request, f"已{lifecycle.ALARM_MACHINE.transitions[action].label}：{alarm_services.describe(alarm)}")
    return redirect("monitoring-alarm", pk=alarm.pk)


@service_view
def sensor_trend(request, pk):
    sensor = selectors.visible_sensor(request.user, pk)
    alarms = Alarm.objects.filter(sensor=sensor).select_related("monitored_object")[:20]
    return render(request, "monitoring/sensor_trend.html", {"sensor": sensor, "alarms": alarms,
                                                            "info": selectors.sensor_json(sensor)})


@service_view
def enterprise_list(request):
    # The objects counted in the same query (one COUNT per enterprise was thousands of queries province-wide).
    qs = scope.visible(Enterprise.objects.filter(monitored_objects__isnull=False)
                       .annotate(n_objects=Count("monitored_objects", distinct=True)), request.user)
    open_by = dict(scope.visible(Alarm.objects.filter(is_open=True), request.user)
                   .values_list("enterprise_id").annotate(n=Count("id")).order_by())
    worst = dict(scope.visible(Alarm.objects.filter(is_open=True), request.user)
                 .values_list("enterprise_id").annotate(m=Min("level")).order_by())
    rows = [(e, open_by.get(e.pk, 0), worst.get(e.pk), e.n_objects) for e in qs.order_by("division_code", "name")]
    return render(request, "monitoring/enterprise_list.html", {"rows": rows})


@service_view
def enterprise_page(request, pk):
    try:
        enterprise = Enterprise.objects.get(pk=pk)
    except Enterprise.DoesNotExist:
        raise NotFound(f"企业（编号 {pk}）不存在") from None
    scope.check_can_see(enterprise, request.user)
    objects = scope.visible(MonitoredObject.objects.filter(enterprise=enterprise), request.user)
    values = selectors.latest_values(request.user, enterprise_id=enterprise.pk)
    alarms = selectors.alarms_for(request.user, {"enterprise": enterprise.pk})[:50]
    return render(request, "monitoring/enterprise.html", {
        "enterprise": enterprise, "objects": objects, "values": values, "alarms": alarms,
        "division_name": full_name(enterprise.division_code),
    })


@service_view
def quarantine(request):
    qs = selectors.quarantine_for(request.user)
    counts = qs.values("reason").annotate(n=Count("id")).order_by("-n")
    reasons = dict(QuarantinedMessage.REASONS)
    if request.GET.get("reason"):
        qs = qs.filter(reason=request.GET["reason"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "monitoring/quarantine.html", {
        "page": page, "counts": [(c["reason"], reasons.get(c["reason"], c["reason"]), c["n"]) for c in counts],
        "reason": request.GET.get("reason", ""),
    })


@service_view
def alarms_geojson(request):
    """One-map overlay: monitored objects with an open alarm, coloured by the worst level."""
    worst: dict[int, Alarm] = {}
    for alarm in selectors.alarms_for(request.user, {"open": "1"}).filter(monitored_object__lon__isnull=False):
        current = worst.get(alarm.monitored_object_id)
        if current is None or alarm.level < current.level:
            worst[alarm.monitored_object_id] = alarm
    features = []
    for alarm in worst.values():
        obj = alarm.monitored_object
        features.append({
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [obj.lon, obj.lat]},
            "properties": {"name": f"{obj.name}（{rules.LEVEL_NAMES[alarm.level]}报警）",
                           "popup": f"{alarm_services.describe(alarm)} · {lifecycle.STATES[alarm.state]}",
                           "url": reverse("monitoring-alarm", args=[alarm.pk]), "color": alarm_services.COLORS[alarm.level],
                           "level": alarm.level, "state": lifecycle.STATES[alarm.state],
                           "badge": str(alarm.level), "pulse": alarm.condition_active or alarm.state == "raised"},
        })
    return JsonResponse({"type": "FeatureCollection", "features": features})

