from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "yingji.resources"
    label = "resources"
    verbose_name = "应急资源"
    # Links this app adds to the side navigation: (group, label, url).
    nav_links: list[tuple[str, str, str]] = [("应急资源", "库存与预警", "/resources/stock/")]

    def ready(self):
        from yingji.core.apps import import_app_modules

        import_app_modules(self.name)
