from yingji.core.apps import Searchable, YingjiAppConfig


class IncidentsConfig(YingjiAppConfig):
    name = "yingji.incidents"
    label = "incidents"
    verbose_name = "突发事件信息报告"
    # deadline_service and document_jobs: background tasks (deadline checks; report documents in the background)
    startup_modules = ("registries", "deadline_service", "document_jobs")
    nav_links = [
        ("值班值守", "值班台（接报）", "incident-console"),
        ("值班值守", "事件看板", "incident-board"),
        ("值班值守", "超时统计", "incident-stats"),
    ]
    searchables = [Searchable("incidents", "突发事件", "selectors.visible_incidents", ("title", "address", "description"),
                              "incident-detail", detail="get_state_display")]
    map_overlays = [("incidents", "突发事件（未办结）", "api:incidents/geojson", "事", "#b71c1c")]

    def start_background(self, stop_event):
        """Embedded mode: watch deadlines and push overdue alerts once per deadline (the job per
        deadline is the primary trigger; this loop also covers a queue that was down)."""
        from yingji.jobs.services import run_periodically

        from .deadline_service import WATCH_SECONDS, check_overdue

        run_periodically("yingji-deadlines", WATCH_SECONDS, check_overdue, stop_event)
