"""The one shape of a Yingji app's hooks: :class:`YingjiAppConfig`.

Every app under ``yingji/`` has an ``apps.py`` whose config derives from
:class:`YingjiAppConfig`. Everything an app offers to the rest of the platform is declared
there — as a class attribute, a method, or a module named in :data:`HOOK_MODULES` — and
nowhere else. Duplicate keys are refused at start-up (:func:`check_declarations`,
``Registry``, ``jobs.services.handler``, ``demo.demo_step``) with both origins named.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from .links import api_url

# Optional modules of an app that the platform looks up on demand with ``app_modules(name)``
# (each is imported only when it exists; a broken import still raises):
HOOK_MODULES: dict[str, str] = {
    "urls": "``urlpatterns`` mounted at ``/<app label>/``; every pattern has a ``name``",
    "api": "``mount(api)``: django-ninja routes beyond the registries' ones",
    "dashboard": "``panel(request)`` -> ``{title, count, url, rows}`` or None: a panel on the home page",
    "incident_board": "``summaries(user, incident_ids)`` -> ``{id: [text]}``: lines on the incident board",
    "duty_board": "``deadlines(user)`` -> ``[{title, url, unit, label, due_at, source, is_synthetic}]``: reporting "
                  "deadlines of other domains shown beside the incidents' on the 值班台 (countdown, overdue mark)",
    "record_panels": "``panels(request, key, obj)`` -> ``[{title, lines, url, link}]``: panels on a registry "
                     "record's page from other domains (an enterprise's credit status and enforcement)",
    "plan_registry": "``standing(electronic_plan_ids)`` -> ``{id: {registry_id, name, state_label, in_force, "
                     "warnings}}``: the plan registry's word on command's electronic plans (matching leaves out plans "
                     "the registry says are not in force, and shows its warnings)",
    "demo_data": "demo steps registered with ``@yingji.demo.demo_step(order, label)`` (imported by load_demo)",
}


class YingjiAppConfig(AppConfig):
    """Base AppConfig of every Yingji app; the hooks below are all optional.

    Declarations (class attributes):

    ``startup_modules``
        Modules of the app imported once in ``ready()`` (each must exist); they register things
        by being imported: ``registries`` (``core.registry.Registry`` declarations: pages, API
        routes, exports, map layers, search), signal handlers, and modules holding
        ``@jobs.services.task`` background tasks (so that every worker knows them).
    ``nav_links``
        ``[(group, label, url_name)]``: links in the side navigation (registries add their own).
    ``map_overlays``
        ``[(key, label, url_name[, symbol, color])]``: one-map overlays (``api:<path>`` names a
        route of the JSON API, below the URL named ``api-v1:api-root``); the URL answers a GeoJSON
        FeatureCollection already scoped to the user. ``symbol`` (one character; "" for areas and
        lines) and ``color`` draw its point markers and its legend entry. Feature properties used
        when present: ``name``, ``popup``, ``url``, ``color`` (this feature's colour), ``badge``
        (short text on the marker, e.g. a grade), ``state`` (its state in words) and ``pulse``
        (true: needs attention now, e.g. an unconfirmed alarm — the marker pulses red).
    ``searchables``
        ``[Searchable(...)]``: records the navigation search box finds besides the registries'
        (which are searched by their ``search_fields``); each is read through the app's own scoped
        selector, so a user finds only what they may open.
    ``cli_commands``
        ``{subcommand: management command}``: the app's Django management commands
        (``<app>/management/commands/<command>.py``) offered as ``yingji <subcommand>``.

    Methods (override):

    ``header_widget(request) -> str``
        HTML shown in the top bar of every page ("" for none).
    ``start_background(stop_event)``
        Start the app's background services (threads that stop when ``stop_event`` is set);
        called by ``yingji serve``/``yingji demo`` in embedded mode and by ``yingji worker``.
        Periodic checks use ``jobs.services.run_periodically``.

    Modules looked up on demand: see :data:`HOOK_MODULES` (urls, api, dashboard,
    incident_board, duty_board, record_panels, plan_registry, demo_data).
    """

    # Django picks the one default AppConfig subclass in an app's apps.py; this base class, imported
    # there, must not count: only its subclasses are defaults.
    default = False
    startup_modules: Sequence[str] = ()
    nav_links: Sequence[tuple[str, ...]] = ()  # (group, label, url_name[, capability])
    map_overlays: Sequence[tuple[str, ...]] = ()  # (key, label, url_name[, symbol, color])
    searchables: Sequence["Searchable"] = ()
    cli_commands: Mapping[str, str] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.default = cls.__dict__.get("default", True)

    def ready(self) -> None:
        for module in self.startup_modules:
            import_module(f"{self.name}.{module}")

    def header_widget(self, request) -> str:
        return ""

    def start_background(self, stop_event: threading.Event) -> None:
        return None


@dataclass(frozen=True)
class Searchable:
    """A kind of record the navigation search box finds (``YingjiAppConfig.searchables``)."""

    key: str  # unique across apps and registries
    label: str  # the kind in Chinese, shown beside every hit
    queryset: str  # "<module>.<function>" of the app: (user) -> QuerySet already scoped to the user
    fields: tuple[str, ...]  # matched with icontains
    url_name: str  # the record's page, reversed with its primary key
    capability: str | None = None  # only users holding it search here
    detail: str = ""  # optional attribute or method of the record: shown beside the title
    title: str = ""  # optional attribute of the record for its title (default: str(record))

    def resolve_queryset(self, app_name: str):
        module, _, function = self.queryset.rpartition(".")
        return getattr(import_module(f"{app_name}.{module}"), function)


def hook_url(url_name: str) -> str:
    """The URL of a nav link or map overlay: a URL name, or ``api:<path>`` below the JSON API root."""
    if url_name.startswith("api:"):
        return api_url(url_name.removeprefix("api:"))
    return reverse(url_name)


def optional_module(app_name: str, module: str) -> ModuleType | None:
    """``<app>.<module>`` if the app provides it, else None (a broken import still raises)."""
    try:
        return import_module(f"{app_name}.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app_name}.{module}":
            raise
        return None


def yingji_apps() -> list[YingjiAppConfig]:
    return [config for config in apps.get_app_configs() if isinstance(config, YingjiAppConfig)]


def app_modules(module: str, exclude: tuple[str, ...] = ()) -> list[tuple[AppConfig, ModuleType]]:
    """Every Yingji app's optional ``module``, one of :data:`HOOK_MODULES`."""
    if module not in HOOK_MODULES:
        raise ImproperlyConfigured(f"'{module}' is not an app hook module; declare it in core.apps.HOOK_MODULES")
    found = []
    for config in yingji_apps():
        if config.label not in exclude:
            loaded = optional_module(config.name, module)
            if loaded is not None:
                found.append((config, loaded))
    return found


def claim(table: dict, kind: str, key, origin: str) -> None:
    """Record that ``origin`` declares ``key``; a second, different origin is a start-up error."""
    previous = table.setdefault(key, origin)
    if previous != origin:
        raise ImproperlyConfigured(f"Duplicate {kind} {key!r}: declared by {previous} and by {origin}")


def check_declarations(configs: Iterable[YingjiAppConfig]) -> dict[str, tuple[str, str]]:
    """Refuse duplicate nav links (same group and label, or same URL name), map overlay keys,
    searchable keys and ``yingji`` subcommands across apps. Returns ``{subcommand: (app name, management command)}``."""
    links: dict = {}
    link_urls: dict = {}
    overlays: dict = {}
    searchables: dict = {}
    commands: dict = {}
    table: dict[str, tuple[str, str]] = {}
    for config in configs:
        for i, (group, label, url_name, *_needs) in enumerate(config.nav_links):
            claim(links, "nav link", (group, label), f"{config.name} nav_links[{i}]")
            claim(link_urls, "nav link URL", url_name, f"{config.name} nav_links[{i}]")
        for i, (key, *_rest) in enumerate(config.map_overlays):
            claim(overlays, "map overlay key", key, f"{config.name} map_overlays[{i}]")
        for i, searchable in enumerate(getattr(config, "searchables", ())):
            claim(searchables, "searchable key", searchable.key, f"{config.name} searchables[{i}]")
        for subcommand, command in config.cli_commands.items():
            claim(commands, "yingji command", subcommand, config.name)
            table[subcommand] = (config.name, command)
    return table


def cli_commands() -> dict[str, tuple[str, str]]:
    """``{subcommand: (app name, management command)}`` for the ``yingji`` entry point."""
    return check_declarations(yingji_apps())


class CoreConfig(YingjiAppConfig):
    name = "yingji.core"
    label = "core"
    verbose_name = "平台基础"
    # worker: the job queue and every app's background services (core.background), so it lives here
    cli_commands = {"migrate": "migrate_quietly", "check": "selfcheck", "rules": "rules", "worker": "worker"}
    # the background tasks of spreadsheet imports and large exports; the registry lists' indexes (post_migrate)
    startup_modules = ("batches", "exports", "list_indexes")

    def ready(self) -> None:
        super().ready()
        check_declarations(yingji_apps())  # duplicates between apps fail at start-up
        load_holiday_file(getattr(settings, "YINGJI_HOLIDAY_FILE", ""))


def load_holiday_file(path: str) -> list[int]:
    """Add the years of the deployment's holiday file (``YINGJI_HOLIDAY_FILE``, docs/rules.md
    §4a) to the working-day calendar; a file that cannot be used stops the start with why."""
    if not path:
        return []
    from pathlib import Path

    from yingji.rules import workdays

    try:
        text = Path(path).read_text(encoding="utf-8")
        return workdays.CALENDAR.load(text, f"节假日文件 {path} ")
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"YINGJI_HOLIDAY_FILE 无法使用：{exc}") from exc
