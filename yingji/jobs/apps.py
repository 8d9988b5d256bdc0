from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "yingji.jobs"
    label = "jobs"
    verbose_name = "后台任务"
    # Links this app adds to the side navigation: (group, label, url).
    nav_links: list[tuple[str, str, str]] = []

    def ready(self):
        from yingji.core.apps import import_app_modules

        import_app_modules(self.name)
