import threading

from yingji.core.apps import Searchable, YingjiAppConfig

DEADLINE_CHECK_SECONDS = 60.0


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

    def start_background(self, stop_event: threading.Event) -> None:
        # Imported here: the AppConfig module loads before the app registry is ready.
        from yingji.jobs.services import run_periodically

        from .deadlines import check_deadlines

        run_periodically("disasters-deadlines", DEADLINE_CHECK_SECONDS, check_deadlines, stop_event)
