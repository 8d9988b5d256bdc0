from django.apps import AppConfig


class DisastersConfig(AppConfig):
    name = "yingji.disasters"
    label = "disasters"
    verbose_name = "灾情管理"
    # Links this app adds to the side navigation: (group, label, url).
    nav_links: list[tuple[str, str, str]] = [
        ("灾情管理", "灾害过程与灾情报告", "/disasters/"),
        ("灾情管理", "核心指标", "/disasters/indicators/"),
    ]

    def ready(self):
        from yingji.core.apps import import_app_modules

        import_app_modules(self.name)
