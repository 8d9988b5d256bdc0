"""Side navigation of the console: links declared by apps (``nav_links``, by URL name) plus one
link per registry. The shell renders it (``yingji.web.context``); ``yingji check`` visits every link."""

from __future__ import annotations

from django.urls import reverse

from yingji.core import capabilities
from yingji.core.apps import hook_url, yingji_apps
from yingji.core.registry import REGISTRIES

NAV_GROUP_ORDER = ["值班值守", "监测预警", "指挥救援", "安全监管", "预警发布", "应急资源", "基础数据"]


# The six functions the provincial plan names for the platform (监督管理, 监测预警, 指挥救援, 灾情管理,
# 政务管理, 社会动员), each holding the navigation groups of the apps that serve it; a function with
# nothing built yet is not shown. Groups not listed fall under 其他.
FUNCTIONS = [
    ("监督管理", ["安全监管", "监管执法"]),
    ("监测预警", ["监测预警", "预警发布"]),
    ("指挥救援", ["值班值守", "指挥救援", "应急资源"]),
    ("灾情管理", ["灾情管理"]),
    ("政务管理", ["政务管理"]),
    ("社会动员", ["社会动员"]),
    ("基础数据", ["基础数据"]),
]


# Links of the shell itself (the top of the side navigation, system administration, the API):
# (label, url_name, capability or None). The layout renders them; the search box finds them.
SHELL_LINKS = [
    ("首页", "dashboard", None),
    ("一张图", "map", None),
    ("行政区划", "division-list", None),
    ("用户管理", "user-list", "users.manage"),
    ("审计日志", "audit-list", "audit.view"),
    ("后台任务", "task-runs", "audit.view"),
    ("API 令牌", "accounts-tokens", None),
    ("API 文档", "api-v1:openapi-view", None),
]


def shell_links(user) -> list[tuple[str, str]]:
    """The shell's own links ``user`` may open: ``[(label, url)]``."""
    return [(label, reverse(name)) for label, name, needs in SHELL_LINKS if needs is None or capabilities.has(user, needs)]


def nav_sections(groups: list[tuple[str, list[tuple[str, str]]]], path: str = "") -> list[dict]:
    """The side navigation (``nav_groups``) by function: ``[{"name", "groups": [(group,
    [(label, url, current)])], "current"}]``; ``current`` marks the link of the page at ``path``
    (the longest matching URL)."""
    groups = dict(groups)
    best = max((url for links in groups.values() for _, url in links if path.startswith(url)), key=len, default=None)
    sections = []
    for name, members in FUNCTIONS + [("其他", [g for g in groups if g not in {m for _, ms in FUNCTIONS for m in ms}])]:
        present = [(g, [(label, url, url == best) for label, url in groups[g]]) for g in members if g in groups]
        if present:
            sections.append({"name": name, "groups": present,
                             "current": any(current for _, links in present for *_, current in links)})
    return sections


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
