"""Side navigation of the console: links declared by apps (``nav_links``, by URL name) plus one
link per registry. The shell renders it (``yingji.web.context``); ``yingji check`` visits every link."""

from __future__ import annotations

from django.urls import reverse

from yingji.core import capabilities
from yingji.core.apps import hook_url, yingji_apps
from yingji.core.registry import REGISTRIES

NAV_GROUP_ORDER = ["值班值守", "监测预警", "指挥救援", "安全监管", "预警发布", "应急资源", "基础数据"]


def nav_groups(user=None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Side navigation: links declared by apps (``nav_links``) plus one link per registry.
    A link may name a capability as a fourth element (``(group, label, url_name, "monitoring.quarantine")``):
    it is shown only to ``user`` holding it (all links when ``user`` is None)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for config in yingji_apps():
        for group, label, url_name, *needs in config.nav_links:
            if needs and user is not None and not capabilities.has(user, needs[0]):
                continue
            groups.setdefault(group, []).append((label, hook_url(url_name)))
    for registry in REGISTRIES.values():
        groups.setdefault(registry.nav_group, []).append((registry.label, reverse("record-list", args=[registry.key])))
    order = {g: i for i, g in enumerate(NAV_GROUP_ORDER)}
    return sorted(groups.items(), key=lambda item: order.get(item[0], 99))
