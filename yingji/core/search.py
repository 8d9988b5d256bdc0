"""The navigation search box: pages (navigation links by Chinese label or pinyin initials) and
records (every searchable registry, plus what apps declare in ``YingjiAppConfig.searchables``).

Nothing is listed centrally: registries are searched by their ``search_fields`` through their
scoped queryset, app records through the app's own scoped selector, so a user finds exactly what
they could open — another county's incident or a page their role lacks never appears. Each kind
contributes at most ``per_kind`` hits (one query each, with a limit), which keeps a keystroke
cheap; the query itself is capped at :data:`MAX_QUERY` characters.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from yingji.geo import divcodes
from yingji.regions.services import division_names

from . import capabilities
from .apps import Searchable, yingji_apps
from .navigation import nav_groups, shell_links
from .registry import REGISTRIES

MAX_QUERY = 50
PER_KIND = 5
MAX_PER_KIND = 20
MAX_PAGES = 10


@lru_cache(maxsize=2048)
def initials(label: str) -> str:
    """Pinyin initials of a label, lower case without spaces: 应急资源 → yjzy, API 文档 → apiwd."""
    # Imported on first use: pypinyin loads its phrase dictionary on import (0.6 s on the
    # development machine), which every process paid at start-up, the ingest and the CLI included.
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(label, style=Style.FIRST_LETTER)).replace(" ", "").lower()


def find_pages(user, text: str) -> list[dict]:
    """Navigation links the user sees whose label contains ``text`` (or whose pinyin initials
    contain it, for Latin letters), labels that start with it first."""
    needle = text.lower().replace(" ", "")
    latin = needle.isascii()
    hits = []
    links = [("", label, url) for label, url in shell_links(user)]
    links += [(group, label, url) for group, items in nav_groups(user) for label, url in items]
    seen = set()
    for group, label, url in links:
        if url in seen:
            continue
        if text in label or (latin and needle in initials(label)) or (group and text in group):
            seen.add(url)
            rank = 0 if label.startswith(text) or (latin and initials(label).startswith(needle)) else 1 if text in label else 2
            hits.append((rank, len(label), {"title": label, "url": url, "group": group}))
    return [hit for *_, hit in sorted(hits, key=lambda h: h[:2])][:MAX_PAGES]


def _where(obj, names: dict[str, str]) -> str:
    """Where a record is: its county, and its township when filed below the county."""
    code = getattr(obj, "division_code", "") or getattr(obj, "region_code", "")
    if not code:
        return ""
    code = divcodes.normalise(code)
    county = code[:6] + "000000"
    if code == county or divcodes.level_of(code) not in ("township", "village"):
        return names.get(code, "")
    return " · ".join(n for n in (names.get(county), names.get(code[:9] + "000")) if n)


def _hit(kind: str, label: str, obj, url: str, names: dict[str, str], detail: str = "", title: str = "") -> dict:
    return {"kind": kind, "kind_label": label, "title": _detail(obj, title) if title else str(obj), "url": url,
            "where": _where(obj, names), "detail": detail}


def _detail(obj, attribute: str) -> str:
    if not attribute:
        return ""
    value = getattr(obj, attribute, "")
    return str(value() if callable(value) else value or "")


def searchables() -> list[tuple[str, Searchable]]:
    """``(app name, Searchable)`` declared by every app."""
    return [(config.name, s) for config in yingji_apps() for s in config.searchables]


def find_records(user, text: str, per_kind: int = PER_KIND) -> list[dict]:
    """Records in the user's scope matching ``text``: at most ``per_kind`` of each kind (one more is
    read to tell whether there are more: the kind's hits then end with ``more``). The apps' declared
    kinds (incidents, warnings, disaster events …) come first, then the registries."""
    groups: list[list[dict]] = []
    names = division_names()
    for app_name, source in searchables():
        if source.capability and not capabilities.has(user, source.capability):
            continue
        condition = Q()
        for field in source.fields:
            condition |= Q(**{f"{field}__icontains": text})
        qs = source.resolve_queryset(app_name)(user).filter(condition).order_by("-pk")
        found = list(qs[:per_kind + 1])
        groups.append([_hit(source.key, source.label, obj, reverse(source.url_name, args=[obj.pk]), names,
                            _detail(obj, source.detail), source.title)
                       for obj in found[:per_kind]] + ([{"kind": source.key, "more": ""}] if len(found) > per_kind else []))
    for registry in REGISTRIES.values():
        if not registry.searchable:
            continue
        if capabilities.enterprise_bound(user) and getattr(registry.model, "scope_enterprise_field", None) is None:
            continue
        found = list(registry.filtered(user, {"q": text})[:per_kind + 1])
        list_url = reverse("record-list", args=[registry.key])
        groups.append([_hit(registry.key, registry.label, obj, reverse("record-detail", args=[registry.key, obj.pk]), names)
                       for obj in found[:per_kind]] + ([{"kind": registry.key, "more": f"{list_url}?{urlencode({'q': text})}"}]
                                                       if len(found) > per_kind else []))
    return [hit for group in groups for hit in group]


def search(user, text: str, per_kind: int = PER_KIND) -> dict:
    """``{"query", "pages": [...], "records": [...], "more": {kind: list URL or ""}}``; an empty query finds nothing."""
    text = " ".join((text or "").split())[:MAX_QUERY]
    per_kind = min(max(per_kind, 1), MAX_PER_KIND)
    if not text:
        return {"query": "", "pages": [], "records": [], "more": {}}
    records = find_records(user, text, per_kind)
    return {"query": text, "pages": find_pages(user, text),
            "records": [r for r in records if "more" not in r],
            "more": {r["kind"]: r["more"] for r in records if "more" in r}}
