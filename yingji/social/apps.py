from yingji.core.apps import YingjiAppConfig


class SocialConfig(YingjiAppConfig):
    name = "yingji.social"
    label = "social"
    verbose_name = "社会动员"
    startup_modules = ("registries",)
    nav_links = [
        ("社会动员", "社会动员总览", "social-index"),
        ("社会动员", "信息员覆盖", "social-coverage"),
        ("社会动员", "群众报告与外业报送", "social-queue", "social.reports.handle"),
        ("社会动员", "外业 App", "field-app", "field.report"),
        ("社会动员", "公众服务门户", "portal:home"),
    ]
