"""Contraction hierarchies of the active road network, built in the background and shared by
every process that routes.

A travel-time matrix on a city network (120 000 nodes) takes seconds with the exact search and
about a tenth of a second with a contraction hierarchy (:mod:`yingji.geo.roads.ch`,
docs/performance.md), but building one takes minutes. So a network too large for a build inside
a request (:func:`network.needs_hierarchy`) gets its hierarchies — one per vehicle profile,
the emergency profile first — from the background task :func:`build`, queued when the network is
activated (import, synthetic generation, switching networks) and again by any process that finds
none stored for the weights it routes on (a fresh data directory, or a release that changed speed
or turn tables). Each is written beside the network's file under its graph fingerprint
(:func:`network.hierarchy_dir`); web and worker processes map it into memory on their next
matrix. Until then, and whenever closures are active, matrices use the exact search: the same
seconds, only slower.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from django.conf import settings

from yingji.geo import router
from yingji.geo.roads.turns import PROFILE_LABELS
from yingji.jobs.progress import Tracker
from yingji.jobs.services import current_run, task

from . import network
from .models import RoadNetwork

log = logging.getLogger(__name__)


@task("生成路网快速计算索引", max_attempts=2)
def build(payload: dict) -> None:
    net = RoadNetwork.objects.filter(pk=payload.get("network")).first()
    if net is not None:
        build_now(net)


def build_now(net: RoadNetwork) -> dict:
    """Build and store the hierarchies of ``net`` that are missing (reports progress when run as
    the background task); returns what was built, per profile."""
    graph = network.base_graph(net)
    tracker = Tracker(current_run(), total=len(network.PREPARED_PROFILES), text=f"正在为“{net.name}”生成快速计算索引……")
    built = {}
    for profile in network.PREPARED_PROFILES:
        fingerprint = router.ch_fingerprint(graph, profile)
        target = network.hierarchy_dir(net, profile, fingerprint)
        label = PROFILE_LABELS[profile]
        if (target / "meta.json").exists():
            tracker.advance(text=f"{label}：已有索引")
            continue
        ch = router.prepare_ch(graph, profile)  # kept in this process too: its next matrix uses it
        ch.save(target)
        _remove_stale(net, profile, keep=target)
        built[profile] = {"seconds": round(ch.build_s, 1), "shortcuts": ch.n_shortcuts}
        tracker.advance(text=f"{label}：索引已生成（用时 {ch.build_s:.0f} 秒）")
        log.info("contraction hierarchy of network %s (%s) built in %.1f s", net.pk, profile, ch.build_s)
    tracker.finish(text=f"“{net.name}”的快速计算索引已就绪", result={"built": built})
    return built


def _remove_stale(net: RoadNetwork, profile: str, keep: Path) -> None:
    """Hierarchies of the same network and profile for other weights (an earlier release)."""
    for old in keep.parent.glob(f"{Path(net.file_name).stem}.{profile}.*.ch"):
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def status(net: RoadNetwork, *, always: bool = False) -> list[dict]:
    """Per profile, whether the matrices of ``net`` use a stored hierarchy — for the roads page
    (only for a network that needs one, and not where the builds are turned off; ``always`` for any)."""
    builds_off = getattr(settings, "YINGJI_ROAD_HIERARCHIES", "background") == "off"
    if not always and (builds_off or not network.needs_hierarchy(net)):
        return []
    from yingji.jobs.models import TaskRun

    graph = network.base_graph(net)
    latest = (TaskRun.objects.filter(task_path=network.BUILD_TASK, payload__network=net.pk)
              .order_by("-pk").values_list("status", flat=True).first())
    waiting = latest in ("queued", "running", "retrying")
    rows = []
    for profile in network.PREPARED_PROFILES:
        ready = (network.hierarchy_dir(net, profile, router.ch_fingerprint(graph, profile)) / "meta.json").exists()
        state = "已就绪" if ready else "生成中" if waiting else "未生成" if latest != "failed" else "生成失败"
        rows.append({"profile": profile, "label": PROFILE_LABELS[profile], "ready": ready, "state": state})
    return rows
