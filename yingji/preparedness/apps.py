import threading

from yingji.core.apps import YingjiAppConfig

SWEEP_SECONDS = 600.0


class PreparednessConfig(YingjiAppConfig):
    name = "yingji.preparedness"
    label = "preparedness"
    verbose_name = "预案演练培训"
    startup_modules = ("registries",)
    nav_links = [
        ("预案演练培训", "应急预案", "plan-index"),
        ("预案演练培训", "演练与频次", "drill-board"),
        ("预案演练培训", "培训考试", "training-index"),
        ("预案演练培训", "三项岗位持证", "training-key-posts"),
    ]

    def start_background(self, stop_event: threading.Event) -> None:
        """Every 10 minutes: raise the revision tasks the registry detects (3-year evaluation
        overdue, a named team or warehouse gone or empty) and close exams whose time ran out."""
        from yingji.jobs.services import run_periodically  # AppConfig hooks import on use (app registry ready)

        from .background import sweep

        run_periodically("preparedness-sweep", SWEEP_SECONDS, sweep, stop_event)
