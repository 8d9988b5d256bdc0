from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "yingji.hazards"
    label = "hazards"
    verbose_name = "重大危险源与双重预防"
    # Links this app adds to the side navigation: (group, label, url).
    nav_links: list[tuple[str, str, str]] = []

    def ready(self):
        from yingji.core.apps import import_app_modules

        import_app_modules(self.name)
