from django.apps import AppConfig


class DutyConfig(AppConfig):
    name = "yingji.duty"
    label = "duty"
    verbose_name = "值班值守"
    # Links this app adds to the side navigation: (group, label, url).
    nav_links: list[tuple[str, str, str]] = []

    def ready(self):
        from yingji.core.apps import import_app_modules

        import_app_modules(self.name)
