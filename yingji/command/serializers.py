"""JSON shapes shared by the API, the pages and the map overlays."""

from __future__ import annotations

from django.utils import timezone


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
    from . import network

    graph = network._base_graph(network.active_network())
    features = []
    for c in closures:
        lines = [[[float(graph.lon[graph.edge_from[e]]), float(graph.lat[graph.edge_from[e]])],
                  [float(graph.lon[graph.edge_to[e]]), float(graph.lat[graph.edge_to[e]])]]
                 for e in network.closure_edges(graph, c)[:2000]]
        features.append({"type": "Feature", "geometry": {"type": "MultiLineString", "coordinates": lines},
                         "properties": {"id": c.pk, "name": f"封闭：{c.road_label}", "color": "#b71c1c",
                                        "popup": f"{c.reason}（{_local(c.closed_at)} 起）", "url": "/command/roads/"}})
    return {"type": "FeatureCollection", "features": features}
