"""The stored road network (an .npz under YINGJI_DATA_DIR/roads) and road closures."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from yingji.core.models import LocatedRecord, ScopedRecord


class RoadNetwork(ScopedRecord):
    """One imported or generated road graph; exactly one is active per deployment."""

    write_capability = "roads.network.write"
    SOURCES = [("osm", "OpenStreetMap 导入"), ("synthetic", "合成路网（示例）")]

    name = models.CharField("路网名称", max_length=100)
    source_kind = models.CharField("来源类型", max_length=12, choices=SOURCES)
    source = models.CharField("数据来源（文件名）", max_length=200)
    licence = models.CharField("许可", max_length=200)
    file_name = models.CharField("路网文件", max_length=200, editable=False)
    n_nodes = models.PositiveIntegerField("节点数", default=0)
    n_edges = models.PositiveIntegerField("有向路段数", default=0)
    metadata = models.JSONField("元数据", default=dict, blank=True)
    is_active = models.BooleanField("当前使用", default=False, db_index=True)

    class Meta:
        ordering = ["-is_active", "-created_at"]
        verbose_name = "路网"

    def __str__(self):
        return self.name


class RoadClosure(LocatedRecord):
    """A closed road: a clicked segment (both directions) or whole ways, until reopened.

    Closures take effect on the next routing query (the graph cache is keyed by the set of
    active closures)."""

    write_capability = "roads.closures.write"
    SCOPES = [("segment", "单个路段（双向）"), ("way", "整条道路")]

    network = models.ForeignKey(RoadNetwork, verbose_name="路网", on_delete=models.CASCADE, related_name="closures")
    scope = models.CharField("封闭范围", max_length=10, choices=SCOPES, default="segment")
    edge_ids = models.JSONField("路段编号", default=list, blank=True)
    way_ids = models.JSONField("道路编号（OSM way / 合成道路）", default=list, blank=True)
    road_label = models.CharField("道路", max_length=100, blank=True)
    reason = models.CharField("封闭原因", max_length=200)
    closed_at = models.DateTimeField("封闭时间", default=timezone.now)
    reopened_at = models.DateTimeField("恢复通行时间", null=True, blank=True)
    reopen_note = models.CharField("恢复说明", max_length=200, blank=True)

    class Meta:
        ordering = ["-closed_at"]
        verbose_name = "道路封闭"

    def __str__(self):
        return f"{self.road_label or '路段'}封闭（{self.reason}）"

    @property
    def active(self) -> bool:
        return self.reopened_at is None
