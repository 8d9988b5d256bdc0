from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "yingji.live"
    label = "live"
    verbose_name = "实时推送"
    # Links this app adds to the side navigation: (group, label, url).
    nav_links: list[tuple[str, str, str]] = []

    def ready(self):
        from yingji.core.apps import import_app_modules

        import_app_modules(self.name)
