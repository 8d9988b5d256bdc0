"""The stored road network: import, synthetic generation, activation, closures, cached graph.

The active :class:`~yingji.geo.roads.RoadGraph` is read from its ``.npz`` once per process
and kept with the set of active closures applied; any change to the closures (a new one, a
reopening) changes the cache key, so a closure takes effect on the very next query — in every
web or worker process, because the key is read from the database each time.
"""

from __future__ import annotations

import logging
import threading
import uuid
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely.geometry
from django.conf import settings

from django.utils import timezone

from yingji.core import profile as installation
from yingji.core import records, scope
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.records import create_record, update_record
from yingji.geo import router
from yingji.geo.boundaries import county_features
from yingji.geo.roads import RoadGraph, haversine_m, import_osm_pbf, synthetic_fuxin_network
from yingji.geo.roads.ch import ContractionHierarchy
from yingji.geo.townships import township_at, township_features
from yingji.regions.services import county_at
from yingji.core.records import audited_transaction

from .models import RoadClosure, RoadNetwork
from .roadnames import class_label

log = logging.getLogger(__name__)
OSM_LICENCE = "© OpenStreetMap 贡献者，ODbL 1.0"
SYNTHETIC_LICENCE = "合成数据（示例），仅供演示，不代表真实道路"
_lock = threading.Lock()
_graphs: dict[tuple, RoadGraph] = {}


def roads_dir() -> Path:
    path = Path(settings.DATA_DIR) / "roads"
    path.mkdir(parents=True, exist_ok=True)
    return path


# ====================================================================== storing networks
def _store(user, graph: RoadGraph, *, name: str, source_kind: str, source: str, licence: str,
           division_code: str, activate: bool = True, synthetic: bool = False) -> RoadNetwork:
    if graph.n_nodes == 0 or graph.n_edges == 0:
        raise ValidationFailed(f"路网“{name}”没有可通行的机动车道路，未导入", fields={"file": ["没有机动车道路"]})
    file_name = f"{source_kind}-{uuid.uuid4().hex[:10]}.npz"
    graph.save(roads_dir() / file_name)
    data = {"name": name, "source_kind": source_kind, "source": source, "licence": licence,
            "n_nodes": graph.n_nodes, "n_edges": graph.n_edges, "metadata": graph.metadata,
            "division_code": division_code, "is_synthetic": synthetic}
    with audited_transaction():
        network = records.create_record(records.SYSTEM if user is None else user, RoadNetwork, {},
                                         server={"file_name": file_name, **data}, validate=user is not None,
                                         audit_action="import", note="路网导入")
        if activate:
            activate_network(user, network)
    return network


def import_osm(user, path: str | Path, *, name: str = "", division_code: str | None = None,
               activate: bool = True) -> RoadNetwork:
    """Import an OpenStreetMap ``.osm.pbf`` extract (car and emergency profiles, turn restrictions,
    signals and barriers; any region of the world, the extent is the network's own)."""
    path = Path(path)
    if not path.exists():
        raise ValidationFailed(f"文件不存在：{path}", fields={"file": ["文件不存在"]})
    if not path.name.endswith((".osm.pbf", ".osm")):
        raise ValidationFailed("只支持 OpenStreetMap .osm.pbf（或 .osm）文件", fields={"file": ["文件类型不对"]})
    try:
        graph = import_osm_pbf(path)
    except RuntimeError as exc:  # pyosmium reports unreadable files as RuntimeError
        raise ValidationFailed(f"无法读取 {path.name}：{exc}", fields={"file": ["无法读取"]}) from exc
    return _store(user, graph, name=name or f"OSM 路网（{path.name}）", source_kind="osm", source=path.name,
                  licence=OSM_LICENCE, division_code=division_code or installation.root_code(), activate=activate)


@lru_cache(maxsize=4)
def fuxin_polygons(city4: str = "2109") -> dict:
    return {f["properties"]["code"]: shapely.geometry.shape(f["geometry"]) for f in county_features(city4)}


@lru_cache(maxsize=4)
def profile_polygons(root: str, level: str) -> dict:
    """The polygons the network is generated in: the city's counties (real boundaries), or the
    townships of a county-level profile (synthetic cells tiling the real county)."""
    if level == "city":
        return fuxin_polygons(root[:4])
    return {f["properties"]["code"]: shapely.geometry.shape(f["geometry"]) for f in township_features(root)}


def build_synthetic(user=None, *, seed: int = 2109, target_nodes: int = 30_000, activate: bool = True) -> RoadNetwork:
    """The demo network of the installation's profile: generated inside the real boundaries,
    labelled synthetic."""
    p = installation.current()
    graph = synthetic_fuxin_network(profile_polygons(p.root, p.level), seed=seed, target_nodes=target_nodes)
    return _store(user, graph, name=f"{p.name}合成路网（示例）", source_kind="synthetic",
                  source=f"程序在{p.name}真实边界内生成（合成路网）",
                  licence=SYNTHETIC_LICENCE, division_code=p.root12, activate=activate, synthetic=True)


def activate_network(user, network: RoadNetwork) -> RoadNetwork:
    with audited_transaction():
        for other in RoadNetwork.objects.filter(is_active=True).exclude(pk=network.pk):
            _set_active(user, other, False)
        _set_active(user, network, True)
        if needs_hierarchy(network):
            request_hierarchies(network)
    return network


def _set_active(user, network: RoadNetwork, value: bool) -> None:
    if user is None:
        fresh = records.change(records.SYSTEM, network, note="启用路网" if value else "停用路网",
                               only_changed=True, is_active=value)
        network.is_active, network.version = fresh.is_active, fresh.version
    else:
        update_record(user, network, {"is_active": value}, note="启用路网" if value else "停用路网")
        network.is_active = value


def active_network() -> RoadNetwork:
    network = RoadNetwork.objects.filter(is_active=True).order_by("-updated_at").first()
    if network is None:
        raise NotFound("尚未配置路网：请先导入 OpenStreetMap 路网（yingji road import FILE.osm.pbf）或载入演示数据")
    return network


# ====================================================================== the cached graph
def active_closures(network: RoadNetwork):
    return RoadClosure.objects.filter(network=network, reopened_at__isnull=True)


def base_graph(network: RoadNetwork) -> RoadGraph:
    """The network's graph without closures, read once per process; it finds the contraction
    hierarchies built for it in the data directory (:mod:`.hierarchies`)."""
    key = ("base", network.pk, network.file_name)
    graph = _graphs.get(key)
    if graph is None:
        path = roads_dir() / network.file_name
        if not path.exists():
            raise NotFound(f"路网文件 {network.file_name} 不存在（数据目录 {roads_dir()}），请重新导入路网")
        graph = RoadGraph.load(path).base
        router.attach_hierarchy_store(graph, _hierarchy_store(network))
        with _lock:
            _graphs[key] = graph
    return graph



# ====================================================================== contraction hierarchies
PREPARED_PROFILES = ("emergency", "car")  # dispatch's default first
BUILD_TASK = "yingji.command.hierarchies.build"  # by path: that module imports this one
_build_asked: set[tuple[int, str]] = set()


def needs_hierarchy(network: RoadNetwork) -> bool:
    """Whether the network is too large for a hierarchy built inside a request (the router's
    "auto" threshold): such a network gets its hierarchies from the background build."""
    return network.n_edges > router.CH_AUTO_BUILD_NODES


def hierarchy_dir(network: RoadNetwork, profile: str, fingerprint: str) -> Path:
    """Where the hierarchy of ``network`` for ``profile`` with ``fingerprint`` lives (beside the
    network's file; the fingerprint in the name, so weights changed by a new release never meet an
    old hierarchy)."""
    return roads_dir() / f"{Path(network.file_name).stem}.{profile}.{fingerprint[:16]}.ch"


def stored_hierarchy(network: RoadNetwork, profile: str, fingerprint: str) -> ContractionHierarchy | None:
    path = hierarchy_dir(network, profile, fingerprint)
    if not (path / "meta.json").exists():
        return None
    try:
        ch = ContractionHierarchy.load(path)
    except (OSError, ValueError, KeyError):
        log.exception("unreadable contraction hierarchy %s: matrices use the exact search", path)
        return None
    return ch if ch.graph_fingerprint == fingerprint else None


def _hierarchy_store(network: RoadNetwork):
    network_id, file_name, large = network.pk, network.file_name, needs_hierarchy(network)

    def store(profile: str, fingerprint: str) -> ContractionHierarchy | None:
        ch = stored_hierarchy(network, profile, fingerprint)
        if ch is None and large and (network_id, fingerprint) not in _build_asked:
            # none stored for these weights (a fresh data directory, or an upgrade changed the
            # weights): ask for one once per process; matrices use the exact search meanwhile
            _build_asked.add((network_id, fingerprint))
            request_hierarchies(network)
        return ch

    return store


def request_hierarchies(network: RoadNetwork):
    """Queue the background build of the network's hierarchies unless one is queued or running,
    or the installation turned the builds off (``YINGJI_ROAD_HIERARCHIES=off``: matrices then
    always use the exact search — the same seconds, slower on a large network)."""
    from yingji.jobs.models import TaskRun

    if getattr(settings, "YINGJI_ROAD_HIERARCHIES", "background") == "off":
        return None
    from yingji.jobs.services import enqueue

    waiting = TaskRun.objects.filter(task_path=BUILD_TASK, payload__network=network.pk,
                                     status__in=("queued", "running", "retrying"))
    if waiting.exists():
        return None
    return enqueue(BUILD_TASK, {"network": network.pk}, division_code=network.division_code)


def graph_for(network: RoadNetwork | None = None) -> RoadGraph:
    """The network's graph with every active closure applied."""
    network = network or active_network()
    base = base_graph(network)
    closures = list(active_closures(network).values_list("pk", "edge_ids", "way_ids"))
    if not closures:
        return base
    key = ("closed", network.pk, network.file_name, tuple(sorted(c[0] for c in closures)))
    graph = _graphs.get(key)
    if graph is None:
        edges = [int(e) for _, edge_ids, _ in closures for e in edge_ids or []]
        ways = [int(w) for _, _, way_ids in closures for w in way_ids or []]
        graph = base.with_closures(edge_ids=edges, way_ids=ways)
        with _lock:
            for old in [k for k in _graphs if k[0] == "closed" and k[1] == network.pk]:
                del _graphs[old]
            _graphs[key] = graph
    return graph


def clear_cache() -> None:
    with _lock:
        _graphs.clear()
        _build_asked.clear()


# ====================================================================== closures
def nearest_segment(graph: RoadGraph, lon: float, lat: float) -> tuple[list[int], float]:
    """Edge ids (both directions) of the road segment closest to a clicked point, and its distance."""
    tree, candidates = graph._snap_index
    _, position = tree.query(graph.project(lon, lat), k=min(16, len(candidates)))
    near = candidates[np.atleast_1d(position)]
    touching = np.flatnonzero(np.isin(graph.edge_from, near) | np.isin(graph.edge_to, near))
    if len(touching) == 0:
        raise ValidationFailed("该位置附近没有道路", fields={"lon": ["附近没有道路"]})
    point = graph.project(lon, lat)
    a = graph.project(graph.lon[graph.edge_from[touching]], graph.lat[graph.edge_from[touching]])
    b = graph.project(graph.lon[graph.edge_to[touching]], graph.lat[graph.edge_to[touching]])
    ab = b - a
    t = np.clip(((point - a) * ab).sum(axis=1) / np.maximum((ab * ab).sum(axis=1), 1e-9), 0, 1)
    distance = np.hypot(*(a + ab * t[:, None] - point).T)
    best = touching[int(np.argmin(distance))]
    u, v = int(graph.edge_from[best]), int(graph.edge_to[best])
    pair = np.flatnonzero(((graph.edge_from == u) & (graph.edge_to == v)) | ((graph.edge_from == v) & (graph.edge_to == u)))
    return sorted(int(e) for e in pair), float(distance.min())


MAX_CLICK_DISTANCE_M = 500.0


def close_road(user, *, reason: str, lon: float | None = None, lat: float | None = None,
               edge_ids=None, way_ids=None, scope_kind: str = "segment", division_code: str = "",
               closed_at=None) -> RoadClosure:
    """Record a closure: a clicked point (nearest segment, or its whole way) or explicit ids."""
    scope.check_can_write(RoadClosure, user)
    if not (reason or "").strip():
        raise ValidationFailed("请填写封闭原因", fields={"reason": ["必填"]})
    network = active_network()
    graph = base_graph(network)
    edge_ids, way_ids = list(edge_ids or []), list(way_ids or [])
    if lon is not None and lat is not None and not edge_ids and not way_ids:
        edge_ids, distance = nearest_segment(graph, lon, lat)
        if distance > MAX_CLICK_DISTANCE_M:
            raise ValidationFailed(f"所选位置距最近道路 {distance:.0f} 米，请在道路上点选",
                                   fields={"lon": ["不在道路上"]})
        if scope_kind == "way":
            way_ids, edge_ids = sorted({int(graph.way_id[e]) for e in edge_ids}), []
    _check_ids(graph, edge_ids, way_ids)
    if lon is None and (edge_ids or way_ids):
        lon, lat = _midpoint(graph, edge_ids, way_ids)
    label = _road_label(graph, edge_ids, way_ids)
    data = {"network": network, "scope": "way" if way_ids else "segment", "edge_ids": edge_ids, "way_ids": way_ids,
            "road_label": label, "reason": reason.strip(), "lon": lon, "lat": lat,
            "division_code": division_code or _division_at(lon, lat) or user.region_code,
            "is_synthetic": network.is_synthetic}
    if closed_at is not None:
        data["closed_at"] = closed_at
    return create_record(user, RoadClosure, data, note="道路封闭")


def reopen_road(user, closure: RoadClosure, note: str = "") -> RoadClosure:
    if closure.reopened_at is not None:
        raise Conflict(f"“{closure}”已于 {timezone.localtime(closure.reopened_at):%Y-%m-%d %H:%M} 恢复通行")
    return update_record(user, closure, {"reopened_at": timezone.now(), "reopen_note": note[:200]},
                         expected_version=closure.version, note="恢复通行")


def _check_ids(graph: RoadGraph, edge_ids, way_ids) -> None:
    if not edge_ids and not way_ids:
        raise ValidationFailed("请在地图上点选要封闭的路段，或给出路段/道路编号", fields={"edge_ids": ["必填"]})
    bad = [e for e in edge_ids if not (0 <= int(e) < graph.n_edges)]
    if bad:
        raise ValidationFailed(f"路段编号不存在：{bad[:5]}", fields={"edge_ids": ["路段编号不存在"]})
    unknown = sorted(set(int(w) for w in way_ids) - set(np.unique(graph.way_id[np.isin(graph.way_id, way_ids)]).tolist()))
    if unknown:
        raise ValidationFailed(f"道路编号不存在：{unknown[:5]}", fields={"way_ids": ["道路编号不存在"]})


def closure_edges(graph: RoadGraph, closure: RoadClosure):
    edges = set(int(e) for e in closure.edge_ids or [])
    if closure.way_ids:
        edges |= set(np.flatnonzero(np.isin(graph.way_id, closure.way_ids)).tolist())
    return sorted(edges)


def _midpoint(graph, edge_ids, way_ids):
    edges = list(edge_ids) or np.flatnonzero(np.isin(graph.way_id, way_ids)).tolist()
    e = edges[len(edges) // 2]
    return (round(float(graph.lon[graph.edge_from[e]] + graph.lon[graph.edge_to[e]]) / 2, 6),
            round(float(graph.lat[graph.edge_from[e]] + graph.lat[graph.edge_to[e]]) / 2, 6))


def _road_label(graph, edge_ids, way_ids) -> str:
    e = int(edge_ids[0]) if edge_ids else int(np.flatnonzero(np.isin(graph.way_id, way_ids))[0])
    return f"{class_label(graph.class_names[graph.road_class[e]])} #{int(graph.way_id[e])}"


def _division_at(lon, lat) -> str | None:
    if lon is None:
        return None
    code = township_at(lon, lat)
    if code:
        return code.ljust(12, "0")
    return county_at(lon, lat)


def segment_length_m(graph: RoadGraph, edge_ids) -> float:
    return float(sum(haversine_m(graph.lon[graph.edge_from[e]], graph.lat[graph.edge_from[e]],
                                 graph.lon[graph.edge_to[e]], graph.lat[graph.edge_to[e]]) for e in edge_ids))
