from django.apps import AppConfig


class CommandConfig(AppConfig):
    name = "yingji.command"
    label = "command"
    verbose_name = "指挥救援"
    # Links this app adds to the side navigation: (group, label, url).
    nav_links: list[tuple[str, str, str]] = [
        ("指挥救援", "指挥调度", "/command/"),
        ("指挥救援", "路网与道路封闭", "/command/roads/"),
    ]
    map_overlays = [
        ("command-responses", "应急响应与调度路线", "/api/v1/responses/geojson"),
        ("road-closures", "道路封闭", "/api/v1/roads/closures/geojson"),
    ]

    def ready(self):
        from yingji.core.apps import import_app_modules

        import_app_modules(self.name)
