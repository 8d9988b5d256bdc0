from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "yingji.incidents"
    label = "incidents"
    verbose_name = "突发事件信息报告"
    # Links this app adds to the side navigation: (group, label, url).
    nav_links: list[tuple[str, str, str]] = [
        ("值班值守", "值班台（接报）", "/incidents/"),
        ("值班值守", "事件看板", "/incidents/board/"),
        ("值班值守", "超时统计", "/incidents/stats/"),
    ]
    map_overlays = [("incidents", "突发事件（未办结）", "/api/v1/incidents/geojson")]

    def ready(self):
        from yingji.core.apps import import_app_modules

        import_app_modules(self.name)
        from . import deadline_service  # noqa: F401  (registers the deadline-check job handler)

    def start_background(self, stop_event):
        """Embedded mode: watch deadlines and push overdue alerts once per deadline (the job per
        deadline is the primary trigger; this loop also covers a queue that was down)."""
        from yingji.jobs.services import run_periodically

        from .deadline_service import WATCH_SECONDS, check_overdue

        run_periodically("yingji-deadlines", WATCH_SECONDS, check_overdue, stop_event)
