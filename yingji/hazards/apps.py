import threading

from django.apps import AppConfig

ESCALATION_CHECK_SECONDS = 600


class HazardsConfig(AppConfig):
    name = "yingji.hazards"
    label = "hazards"
    verbose_name = "重大危险源与双重预防"
    # Links this app adds to the side navigation: (group, label, url).
    nav_links: list[tuple[str, str, str]] = [
        ("安全监管", "重大危险源分级", "/hazards/sources/"),
        ("安全监管", "风险四色图", "/hazards/risk-map/"),
        ("安全监管", "隐患排查治理", "/hazards/hidden/"),
        ("安全监管", "统计与逾期清单", "/hazards/stats/"),
    ]
    map_overlays = [("risk-points", "风险点（四色）", "/hazards/risk-map/points.geojson")]

    def ready(self):
        from yingji.core.apps import import_app_modules

        import_app_modules(self.name)

    def start_background(self, stop_event: threading.Event) -> None:
        """Embedded mode: check overdue major hidden hazards every 10 minutes and escalate them."""
        from yingji.jobs.services import run_periodically

        from .loop import escalate_overdue

        run_periodically("hazards-escalation", ESCALATION_CHECK_SECONDS, escalate_overdue, stop_event)
