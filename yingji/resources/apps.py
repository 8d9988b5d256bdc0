from yingji.core.apps import YingjiAppConfig


class ResourcesConfig(YingjiAppConfig):
    name = "yingji.resources"
    label = "resources"
    verbose_name = "应急资源"
    startup_modules = ("registries",)
    nav_links = [("应急资源", "库存与预警", "resources-stock")]
