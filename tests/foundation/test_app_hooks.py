"""App hooks are declared once (core.apps.YingjiAppConfig); a duplicate key fails at start-up."""

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from yingji.core.apps import HOOK_MODULES, YingjiAppConfig, app_modules, check_declarations, cli_commands, yingji_apps
from yingji.core.registry import REGISTRIES, Registry
from yingji.regions.models import Enterprise


def app(name, nav_links=(), map_overlays=(), cli_commands=None, searchables=()):
    return SimpleNamespace(name=name, nav_links=nav_links, map_overlays=map_overlays, cli_commands=cli_commands or {},
                           searchables=searchables)


def test_every_yingji_app_uses_the_base_config():
    ours = [c for c in apps.get_app_configs() if c.name.startswith("yingji.")]
    assert ours and all(isinstance(c, YingjiAppConfig) for c in ours)
    assert len(yingji_apps()) == len(ours)


def test_the_declared_apps_have_no_duplicates_and_offer_every_yingji_command():
    table = cli_commands()
    assert {"demo", "serve", "migrate", "createuser", "token", "check", "worker", "ingest", "simulate", "rules",
            "road", "dispatch", "cap"} <= set(table)
    assert table["road"] == ("yingji.command", "road")


def test_duplicate_registry_key_names_both_origins():
    with pytest.raises(ImproperlyConfigured, match=r"registry key 'enterprises'.*yingji\.regions\.registries.*test_app_hooks"):
        Registry(key="enterprises", model=Enterprise, label="重复", fields=["name"], list_fields=["name"])
    assert REGISTRIES["enterprises"].label != "重复"


def test_duplicate_nav_link_names_both_origins():
    first = app("yingji.a", nav_links=[("值班值守", "值班台", "incident-console")])
    same_label = app("yingji.b", nav_links=[("值班值守", "值班台", "duty-calendar")])
    with pytest.raises(ImproperlyConfigured, match=r"nav link \('值班值守', '值班台'\).*yingji\.a.*yingji\.b"):
        check_declarations([first, same_label])
    same_url = app("yingji.c", nav_links=[("其他", "另一个入口", "incident-console")])
    with pytest.raises(ImproperlyConfigured, match=r"nav link URL 'incident-console'.*yingji\.a.*yingji\.c"):
        check_declarations([first, same_url])
    twice_in_one_app = app("yingji.d", nav_links=[("组", "链接", "x"), ("组", "链接", "y")])
    with pytest.raises(ImproperlyConfigured, match=r"nav link.*nav_links\[0\].*nav_links\[1\]"):
        check_declarations([twice_in_one_app])


def test_duplicate_map_overlay_key_names_both_origins():
    a = app("yingji.a", map_overlays=[("alarms", "报警", "monitoring-alarms-geojson")])
    b = app("yingji.b", map_overlays=[("alarms", "另一个报警图层", "api:alarms/geojson")])
    with pytest.raises(ImproperlyConfigured, match=r"map overlay key 'alarms'.*yingji\.a.*yingji\.b"):
        check_declarations([a, b])
    styled = app("yingji.c", map_overlays=[("alarms", "报警", "monitoring-alarms-geojson", "警", "#c62828")])
    with pytest.raises(ImproperlyConfigured, match=r"map overlay key 'alarms'.*yingji\.a.*yingji\.c"):
        check_declarations([a, styled])


def test_every_overlay_and_map_layer_has_its_own_symbol_and_colour():
    from yingji.web.views import map_overlays

    kinds = [(r.icon, r.map_color) for r in REGISTRIES.values() if r.map_layer]
    kinds += [(o["icon"], o["color"]) for o in map_overlays() if o["icon"]]
    assert len(kinds) >= 12 and all(len(symbol) == 1 for symbol, _ in kinds)
    assert len({symbol for symbol, _ in kinds}) == len(kinds)
    assert len({colour for _, colour in kinds}) == len(kinds)


def test_duplicate_searchable_key_names_both_origins():
    from yingji.core.apps import Searchable

    one = Searchable("incidents", "突发事件", "selectors.visible_incidents", ("title",), "incident-detail")
    with pytest.raises(ImproperlyConfigured, match=r"searchable key 'incidents'.*yingji\.a.*yingji\.b"):
        check_declarations([app("yingji.a", searchables=[one]), app("yingji.b", searchables=[one])])


def test_duplicate_yingji_command_names_both_origins():
    a = app("yingji.a", cli_commands={"road": "road"})
    b = app("yingji.b", cli_commands={"road": "roads"})
    with pytest.raises(ImproperlyConfigured, match=r"yingji command 'road'.*yingji\.a.*yingji\.b"):
        check_declarations([a, b])
    assert check_declarations([a, app("yingji.c", cli_commands={"dispatch": "dispatch"})]) == {
        "road": ("yingji.a", "road"), "dispatch": ("yingji.c", "dispatch")}


def test_duplicate_demo_step_names_both_origins():
    from yingji import demo

    app_modules("demo_data")  # registers every app's steps
    label = next(label for _, label, func in demo.STEPS if func.__module__ == "yingji.hazards.demo_data")
    steps = list(demo.STEPS)

    def another_step():
        return 0

    with pytest.raises(ImproperlyConfigured, match=rf"demo step '{label}'.*yingji\.hazards\.demo_data.*another_step"):
        demo.demo_step(99, label)(another_step)
    assert demo.STEPS == steps


def test_hook_modules_are_declared_in_one_place():
    assert set(HOOK_MODULES) == {"urls", "api", "dashboard", "incident_board", "duty_board", "record_panels",
                                 "plan_registry", "demo_data"}
    with pytest.raises(ImproperlyConfigured, match="not an app hook module"):
        app_modules("widgets")


def test_every_registries_module_is_declared_at_start_up():
    from pathlib import Path

    undeclared = [c.name for c in yingji_apps()
                  if (Path(c.path) / "registries.py").exists() and "registries" not in c.startup_modules]
    assert undeclared == []
