import threading

from yingji.core.apps import YingjiAppConfig

SWEEP_SECONDS = 3600


class AffairsConfig(YingjiAppConfig):
    name = "yingji.affairs"
    label = "affairs"
    verbose_name = "政务管理"
    startup_modules = ("registries",)
    nav_links = [
        ("政务管理", "督查督办", "affairs:tasks"),
        ("政务管理", "年度考核", "affairs:assessments"),
    ]

    def start_background(self, stop_event: threading.Event) -> None:
        """Embedded mode: remind tasks about to fall due and escalate overdue ones, hourly."""
        from yingji.jobs.services import run_periodically

        from .services import sweep_tasks

        run_periodically("affairs-task-sweep", SWEEP_SECONDS, sweep_tasks, stop_event)
