"""A network too large for a contraction hierarchy built inside a request gets its hierarchies from
a background task after activation; every process then maps the stored ones and answers matrices
from them — the same seconds as the exact search. A stored hierarchy for other weights is never
used (a rebuild is asked for instead)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import CITY

POINTS = [(121.657, 42.011), (122.431, 42.488), (121.75, 42.10), (122.10, 42.30), (121.30, 41.90)]
DEMANDS = [(121.66, 42.02), (121.90, 42.60), (122.20, 42.05), (121.50, 42.30)]


@pytest.fixture
def large(monkeypatch, data_dir, db):
    """A 1 500-node network counts as large (above the in-request build threshold)."""
    from yingji.geo import router

    monkeypatch.setattr(router, "CH_AUTO_BUILD_NODES", 1_000)
    return data_dir


def _exact(monkeypatch, profile):
    from yingji.command import routing
    from yingji.geo import router

    monkeypatch.setattr(router, "MATRIX_CH", "never")
    try:
        return np.array(routing.travel_matrix(POINTS, DEMANDS, profile=profile, with_distances=False)["durations_s"],
                        dtype=float)
    finally:
        monkeypatch.setattr(router, "MATRIX_CH", "auto")


def _page(client, make_user):
    from yingji.accounts.models import User

    user = User.objects.filter(username="roads-viewer").first() or make_user("roads-viewer", "commander", CITY)
    client.force_login(user)
    return client.get("/command/roads/").content.decode()


def test_activation_queues_the_build_and_matrices_then_use_the_stored_hierarchy(
        large, monkeypatch, client, make_user, django_capture_on_commit_callbacks):
    from yingji.command import hierarchies, network, routing
    from yingji.geo.roads.turns import edge_graph
    from yingji.jobs.models import TaskRun
    from yingji.jobs.services import run_pending

    net = network.build_synthetic(None, seed=11, target_nodes=1_500)
    run = TaskRun.objects.get(task_path=network.BUILD_TASK)
    assert run.payload == {"network": net.pk} and run.status == "queued"
    page = _page(client, make_user)
    assert "应急车辆生成中；小汽车生成中" in page and "索引就绪前按精确算法计算，结果相同" in page

    # before the build: no hierarchy in memory or on disk, the exact search answers
    graph = network.graph_for()
    routing.travel_matrix(POINTS, DEMANDS, profile="emergency", with_distances=False)
    assert "_ch" not in edge_graph(graph, "emergency").__dict__

    with django_capture_on_commit_callbacks(execute=True):
        assert run_pending() == 1
    run.refresh_from_db()
    assert run.status == "done" and run.progress_done == run.progress_total == 2
    assert set(run.result["built"]) == {"emergency", "car"}
    stored = sorted(p.name.split(".")[1] for p in large.joinpath("roads").glob("*.ch"))
    assert stored == ["car", "emergency"]

    network.clear_cache()  # another process: it reads the graph and finds the stored hierarchies
    for profile in ("emergency", "car"):
        expected = _exact(monkeypatch, profile)
        network.clear_cache()
        got = np.array(routing.travel_matrix(POINTS, DEMANDS, profile=profile, with_distances=False)["durations_s"],
                       dtype=float)
        ch = edge_graph(network.graph_for(), profile).__dict__["_ch"]
        assert not ch.up_w.flags.writeable  # mapped from the stored file, not built here
        np.testing.assert_allclose(got, expected, atol=0.01)
    page = _page(client, make_user)
    assert "应急车辆已就绪；小汽车已就绪" in page and "精确算法" not in page
    assert hierarchies.status(net)[0]["state"] == "已就绪"
    # a closure: the hierarchy (of the open network) is not used, and the page says so
    network.close_road(make_user("roads-closer", "commander", CITY), reason="测试封闭", lon=POINTS[0][0], lat=POINTS[0][1])
    assert "当前有道路封闭，按精确算法计算" in _page(client, make_user)


def test_hierarchy_stored_for_other_weights_is_not_used_and_a_rebuild_is_asked(
        large, monkeypatch, django_capture_on_commit_callbacks):
    from yingji.command import hierarchies, network, routing
    from yingji.geo.roads import turns
    from yingji.jobs.models import TaskRun

    net = network.build_synthetic(None, seed=11, target_nodes=1_500)
    hierarchies.build_now(net)
    TaskRun.objects.all().delete()

    # a release that changes the turn costs changes every weight of the edge graph
    monkeypatch.setattr(turns, "U_TURN_PENALTY_S", turns.U_TURN_PENALTY_S + 40.0)
    network.clear_cache()
    expected = _exact(monkeypatch, "emergency")
    network.clear_cache()
    got = np.array(routing.travel_matrix(POINTS, DEMANDS, profile="emergency", with_distances=False)["durations_s"],
                   dtype=float)
    np.testing.assert_allclose(got, expected, atol=0.01)
    assert "_ch" not in turns.edge_graph(network.graph_for(), "emergency").__dict__
    assert TaskRun.objects.filter(task_path=network.BUILD_TASK, payload__network=net.pk, status="queued").count() == 1
    routing.travel_matrix(POINTS, DEMANDS, profile="emergency", with_distances=False)
    assert TaskRun.objects.filter(task_path=network.BUILD_TASK).count() == 1  # asked once, not per matrix

    built = hierarchies.build_now(net)
    assert set(built) == {"emergency", "car"}
    names = sorted(p.name for p in data_dir_roads(net))
    assert len(names) == 2  # the hierarchies of the old weights are gone


def data_dir_roads(net):
    from yingji.command import network

    return network.roads_dir().glob(f"{net.file_name.rsplit('.', 1)[0]}.*.ch")


def test_road_prepare_builds_the_active_networks_hierarchies(data_dir, db, capsys):
    from django.core.management import call_command

    from yingji.command import network

    network.build_synthetic(None, seed=11, target_nodes=1_500)
    call_command("road", "prepare")
    import json

    out = json.loads(capsys.readouterr().out)
    assert [h["state"] for h in out["hierarchies"]] == ["已就绪", "已就绪"]
    assert set(out["built"]) == {"emergency", "car"}


def test_builds_turned_off_queue_nothing_and_the_page_says_nothing(large, settings, client, make_user):
    from yingji.command import network
    from yingji.jobs.models import TaskRun

    settings.YINGJI_ROAD_HIERARCHIES = "off"
    network.build_synthetic(None, seed=11, target_nodes=1_500)
    assert not TaskRun.objects.filter(task_path=network.BUILD_TASK).exists()
    page = _page(client, make_user)
    assert "路网与道路封闭" in page and "快速计算索引" not in page
