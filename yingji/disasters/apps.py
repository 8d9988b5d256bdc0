from yingji.core.apps import Searchable, YingjiAppConfig


class DisastersConfig(YingjiAppConfig):
    name = "yingji.disasters"
    label = "disasters"
    verbose_name = "灾情管理"
    startup_modules = ("registries",)
    nav_links = [
        ("灾情管理", "灾害过程与灾情报告", "disaster-index"),
        ("灾情管理", "核心指标", "disaster-indicators"),
    ]
    cli_commands = {"relief": "relief"}
    searchables = [Searchable("disaster-events", "灾害过程", "selectors.visible_events", ("title", "description"),
                              "disaster-detail", detail="get_hazard_type_display")]
