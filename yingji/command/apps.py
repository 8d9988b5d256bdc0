from yingji.core.apps import YingjiAppConfig


class CommandConfig(YingjiAppConfig):
    name = "yingji.command"
    label = "command"
    verbose_name = "指挥救援"
    startup_modules = ("registries",)
    cli_commands = {"road": "road", "dispatch": "dispatch"}
    nav_links = [
        ("指挥救援", "指挥调度", "command-console"),
        ("指挥救援", "路网与道路封闭", "command-roads"),
    ]
    map_overlays = [
        ("command-responses", "应急响应与调度路线", "api:responses/geojson", "响", "#0d47a1"),
        ("road-closures", "道路封闭", "api:roads/closures/geojson", "", "#212121"),
    ]
