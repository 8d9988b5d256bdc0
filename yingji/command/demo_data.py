"""Demo steps of the command app (orders 70–79): the synthetic road network inside the profile's
real boundaries, the profile's plans as structured data, a response with a dispatch and a road closure. Everything here is synthetic
and labelled so."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yingji.accounts.models import User
from yingji.core import records
from yingji.demo import profile
from yingji.demo.steps import demo_step
from yingji.incidents.models import Incident
from yingji.regions.models import Organisation

from . import dispatch, network, plans, responses
from . import plans as plan_services
from .demo_plans import county_plan, plan_documents
from .models import Plan, Response, RoadClosure, RoadNetwork



@demo_step(70, "合成路网（示例）")
def load_road_network() -> int:
    existing = RoadNetwork.objects.filter(is_synthetic=True, source_kind="synthetic").first()
    if existing is not None and (network.roads_dir() / existing.file_name).exists():
        return 0
    p = profile.current()
    net = network.build_synthetic(None, seed=2109, target_nodes=p.demo.get("road_nodes", 30_000))
    return net.n_nodes


@demo_step(71, "数字化预案（示例）")
def load_plans() -> int:
    if Plan.objects.filter(is_synthetic=True).exists():
        return 0
    p = profile.current()
    org_by_name = dict(Organisation.objects.values_list("name", "pk"))
    docs = plan_documents(p, org_by_name)
    counties = Organisation.objects.filter(kind="bureau").exclude(division_code=p.root12)
    docs += [county_plan(p, p.unit_of(o.division_code).name, o.name, o.division_code) for o in counties
             if p.unit_of(o.division_code) is not None]
    with transaction.atomic():
        for doc in docs:
            doc = dict(doc)
            levels, members = doc.pop("levels"), doc.pop("members")
            plan = Plan.objects.create(**doc)
            with records.writing_children(records.SYSTEM, plan, audit_action="create", note="演示数据：数字化预案",
                                          document=plan_services.plan_document):
                plan_services._write_children(plan, levels, members)
    return len(docs)


@demo_step(72, "应急响应与调度（示例）")
def load_demo_response() -> int:
    """Activate the matching plan for the most severe open demo incident and dispatch the
    nearest standby team, through the same services a commander uses."""
    if Response.objects.filter(is_synthetic=True).exists():
        return 0
    commander = User.objects.filter(username=profile.current().username("commander")).first()
    incident = (Incident.objects.filter(is_synthetic=True, lon__isnull=False, grade_level__isnull=False)
                .exclude(state="closed").order_by("grade_level", "pk").first())
    if commander is None or incident is None:
        return 0
    proposals = plans.propose(commander, incident.type_code, incident.grade_level, incident.division_code)
    if not proposals:
        return 0
    response = responses.activate(commander, incident, proposals[0]["plan_id"], proposals[0]["level"],
                                  "演示：按预案匹配结果启动（示例）")
    try:
        dispatch.dispatch_nearest_team(commander, response)
    except Exception:  # noqa: BLE001 - a demo without a reachable team still shows the response
        pass
    return 1


# (reason, hours ago) — a county road flooded after the demo rain, still closed, at the profile's
# [demo.plans] closure point
DEMO_CLOSURES = [("示例：强降雨致路面积水约 40 厘米，封闭待排水", 5)]


@demo_step(73, "道路封闭（示例）")
def load_road_closures() -> int:
    """A road closure in the focus unit (Fuxin: 彰武县) entered the way a duty officer does (the nearest road segment to a
    point), so the closures list and the one-map layer are not empty."""
    if RoadClosure.objects.filter(is_synthetic=True).exists() or not RoadNetwork.objects.filter(is_active=True).exists():
        return 0
    p = profile.current()
    commander = User.objects.filter(username=p.username("commander")).first()
    if commander is None:
        return 0
    made = 0
    lon, lat = p.demo["plans"]["closure_point"]
    for reason, hours in DEMO_CLOSURES:
        network.close_road(commander, reason=reason, lon=lon, lat=lat,
                           closed_at=timezone.now() - dt.timedelta(hours=hours))
        made += 1
    return made
