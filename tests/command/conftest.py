"""Fixtures of the command tests: a small synthetic Fuxin road network stored the way the
platform stores it (an .npz under YINGJI_DATA_DIR/roads plus its RoadNetwork row)."""

from __future__ import annotations

import heapq
import math

import pytest

from tests.conftest import CITY


@pytest.fixture
def data_dir(settings, tmp_path):
    from yingji.command import network

    settings.DATA_DIR = tmp_path
    network.clear_cache()
    yield tmp_path
    network.clear_cache()


@pytest.fixture
def road_network(db, data_dir):
    """A 4 000-node synthetic network over Fuxin's real county boundaries, active."""
    from yingji.command import network

    return network.build_synthetic(None, seed=11, target_nodes=4_000)


@pytest.fixture
def commander(make_user):
    return make_user("cmd", "commander", CITY)


def reference_times(graph, source: int, reverse: bool = False) -> list[float]:
    """Textbook heapq Dijkstra over the graph's open edges (no scipy), independent of the router."""
    adjacency = [[] for _ in range(graph.n_nodes)]
    for e in range(graph.n_edges):
        if graph.closed[e]:
            continue
        u, v = int(graph.edge_from[e]), int(graph.edge_to[e])
        if reverse:
            u, v = v, u
        seconds = float(graph.length_m[e]) / (float(graph.speed_kmh[e]) / 3.6)
        adjacency[u].append((v, max(seconds, 1e-3)))
    dist = [math.inf] * graph.n_nodes
    dist[source] = 0.0
    heap = [(0.0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, w in adjacency[u]:
            if d + w < dist[v]:
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return dist


def nearest_node(graph, lon: float, lat: float) -> tuple[int, float]:
    """Brute-force nearest main-component node and its straight distance (metres)."""
    import numpy as np

    from yingji.geo.roads import haversine_m

    candidates = np.flatnonzero(graph.main_component_mask)
    # the router snaps in a local equirectangular projection; use the same metric
    xy = graph.project(graph.lon[candidates], graph.lat[candidates])
    p = graph.project(lon, lat)
    d = np.hypot(*(xy - p).T)
    i = int(np.argmin(d))
    return int(candidates[i]), float(d[i])


# ---------------------------------------------------------------- incidents and resources (direct fixtures)
FUMENG = "210921000000"
INCIDENT_POINT = (121.80, 42.10)  # 阜新氟产业开发区 area, 阜蒙县


@pytest.fixture
def organisations(db):
    from yingji.demo.foundation import load_organisations

    load_organisations()


@pytest.fixture
def demo_plans(organisations):
    from yingji.command.demo_data import load_plans

    load_plans()


@pytest.fixture
def make_incident(organisations):
    from django.utils import timezone

    from yingji.incidents.models import Incident
    from yingji.regions.models import Organisation

    def make(type_code="accident.hazchem", grade=3, point=INCIDENT_POINT, division=FUMENG, title="氟化工企业泄漏（测试）"):
        unit = Organisation.objects.filter(kind="bureau", division_code=CITY).first()
        return Incident.objects.create(
            client_token=__import__("uuid").uuid4(), title=title, source="phone", type_code=type_code, category=type_code.split(".")[0],
            received_at=timezone.now(), description="测试", receiving_unit=unit, division_code=division,
            lon=point[0], lat=point[1], grade_level=grade, grade_name={1: "特别重大", 2: "重大", 3: "较大", 4: "一般"}.get(grade, ""))

    return make


@pytest.fixture
def make_team(db):
    from yingji.resources.models import RescueTeam

    def make(name, point, specialties="危化", division=FUMENG, readiness="standby"):
        return RescueTeam.objects.create(
            name=name, category="professional", specialties=specialties, level="city", headcount=20, leader="队长",
            leader_phone="13900000000", duty_phone="13900000001", lon=point[0], lat=point[1],
            division_code=division, readiness=readiness)

    return make


def expected_route_seconds(graph, a, b, profile: str = "car") -> float:
    """Independent figure: brute-force segment snapping + edge-based heapq Dijkstra with turn
    costs and restrictions + both access legs (tests/routing_reference.py)."""
    from tests import routing_reference

    return routing_reference.seconds(graph, profile, a, b)
