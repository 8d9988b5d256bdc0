from django.apps import AppConfig


class CommandConfig(AppConfig):
    name = "yingji.command"
    label = "command"
    verbose_name = "指挥救援"
    # Links this app adds to the side navigation: (group, label, url).
    nav_links: list[tuple[str, str, str]] = []

    def ready(self):
        from yingji.core.apps import import_app_modules

        import_app_modules(self.name)
