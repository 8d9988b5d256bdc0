"""JSON shapes shared by the API, the pages and the map overlays."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from yingji.rules.task_lifecycle import TASK_LIFECYCLE

from . import network
from .models.plans import level_label


def _local(value) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


def network_json(n) -> dict:
    return {"id": n.pk, "name": n.name, "source_kind": n.source_kind, "source": n.source, "licence": n.licence,
            "n_nodes": n.n_nodes, "n_edges": n.n_edges, "is_active": n.is_active, "is_synthetic": n.is_synthetic,
            "created_at": n.created_at.isoformat()}


def closure_json(c) -> dict:
    return {"id": c.pk, "network_id": c.network_id, "scope": c.scope, "edge_ids": c.edge_ids, "way_ids": c.way_ids,
            "road_label": c.road_label, "reason": c.reason, "lon": c.lon, "lat": c.lat,
            "division_code": c.division_code, "closed_at": c.closed_at.isoformat(),
            "closed_at_local": _local(c.closed_at), "closed_by": str(c.created_by or ""),
            "reopened_at": c.reopened_at.isoformat() if c.reopened_at else None,
            "reopened_at_local": _local(c.reopened_at), "reopen_note": c.reopen_note, "active": c.active,
            "version": c.version, "is_synthetic": c.is_synthetic}


def closures_geojson(closures) -> dict:
    graph = network.base_graph(network.active_network())
    features = []
    for c in closures:
        lines = [[[float(graph.lon[graph.edge_from[e]]), float(graph.lat[graph.edge_from[e]])],
                  [float(graph.lon[graph.edge_to[e]]), float(graph.lat[graph.edge_to[e]])]]
                 for e in network.closure_edges(graph, c)[:2000]]
        features.append({"type": "Feature", "geometry": {"type": "MultiLineString", "coordinates": lines},
                         "properties": {"id": c.pk, "name": f"封闭：{c.road_label}", "color": "#b71c1c",
                                        "popup": f"{c.reason}（{_local(c.closed_at)} 起）", "url": reverse("command-roads")}})
    return {"type": "FeatureCollection", "features": features}


def response_json(r, detail: bool = False) -> dict:
    data = {"id": r.pk, "incident_id": r.incident_id, "plan_id": r.plan_id, "plan": r.plan.name, "level": r.level,
            "level_label": level_label(r.level), "proposed_level": r.proposed_level, "state": r.state,
            "state_label": r.get_state_display(), "commander": r.commander_name, "reason": r.reason,
            "activated_at": r.activated_at.isoformat(), "activated_at_local": _local(r.activated_at),
            "ended_at": r.ended_at.isoformat() if r.ended_at else None, "version": r.version}
    if detail:
        data["events"] = [{"kind": e.kind, "kind_label": e.get_kind_display(), "from_level": e.from_level,
                           "to_level": e.to_level, "note": e.note, "at": e.at.isoformat(), "at_local": _local(e.at),
                           "actor": e.actor_name} for e in r.events.all()]
        data["tasks"] = [task_json(t) for t in r.tasks.all()]
        data["dispatches"] = [dispatch_json(d) for d in r.dispatches.select_related("team", "expert", "warehouse", "material")]
    return data


def task_json(t, notes: bool = False) -> dict:
    data = {"id": t.pk, "response_id": t.response_id, "incident_id": t.incident_id, "unit_name": t.unit_name,
            "organisation_id": t.organisation_id, "title": t.title, "level": t.level, "state": t.state,
            "state_label": TASK_LIFECYCLE.label(t.state), "issued_at": t.issued_at.isoformat(),
            "due_at": t.due_at.isoformat() if t.due_at else None, "due_at_local": _local(t.due_at),
            "accepted_at": _local(t.accepted_at), "started_at": _local(t.started_at), "done_at": _local(t.done_at),
            "cancelled_at": _local(t.cancelled_at), "result": t.result, "version": t.version,
            "overdue": bool(t.due_at and t.state in ("issued", "accepted", "in_progress") and t.due_at < timezone.now())}
    if notes:
        data["notes"] = [{"at": _local(n.at), "action": n.action, "text": n.text, "actor": n.actor_name,
                          "attachment": n.attachment.url if n.attachment else None, "attachment_name": n.attachment_name}
                         for n in t.notes.all()]
    return data


def dispatch_json(d) -> dict:
    who = d.team or d.expert or d.material
    return {"id": d.pk, "response_id": d.response_id, "incident_id": d.incident_id, "kind": d.kind,
            "kind_label": d.get_kind_display(), "name": str(who) if who else "", "team_id": d.team_id,
            "expert_id": d.expert_id, "warehouse_id": d.warehouse_id, "warehouse": str(d.warehouse or ""),
            "material_id": d.material_id, "quantity": str(d.quantity) if d.quantity is not None else None,
            "movement_ids": d.movement_ids, "state": d.state, "state_label": d.get_state_display(),
            "route_seconds": d.route_seconds, "route_metres": d.route_metres, "route": d.route,
            "destination": d.destination, "dispatched_at": _local(d.dispatched_at), "arrived_at": _local(d.arrived_at),
            "returned_at": _local(d.returned_at), "consent": d.consent, "version": d.version}


def operations_geojson(responses) -> dict:
    """Active responses at their incident, and the routes of dispatched teams and materials."""
    features = []
    for r in responses:
        inc = r.incident
        if inc.lon is not None:
            open_tasks = r.tasks.filter(state__in=("issued", "accepted", "in_progress")).count()
            features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [inc.lon, inc.lat]},
                             "properties": {"name": f"{inc.title}（{r.level_label}）", "color": "#6a1b9a",
                                            "popup": f"{r.plan.name}，未完成任务 {open_tasks} 项",
                                            "url": reverse("command-incident", args=[inc.pk])}})
        for d in r.dispatches.filter(state="en_route").select_related("team", "material", "warehouse"):
            if len(d.route) >= 2:
                features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": d.route},
                                 "properties": {"name": f"{d.team or d.material} 在途", "color": "#1565c0",
                                                "popup": f"预计 {round((d.route_seconds or 0) / 60)} 分钟",
                                                "url": reverse("command-incident", args=[inc.pk])}})
    return {"type": "FeatureCollection", "features": features}
