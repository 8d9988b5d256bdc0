import threading

from yingji.core.apps import YingjiAppConfig

ESCALATION_CHECK_SECONDS = 600


class HazardsConfig(YingjiAppConfig):
    name = "yingji.hazards"
    label = "hazards"
    verbose_name = "重大危险源与双重预防"
    startup_modules = ("registries",)
    nav_links = [
        ("安全监管", "重大危险源分级", "hazards:source-list"),
        ("安全监管", "风险四色图", "hazards:risk-map"),
        ("安全监管", "隐患排查治理", "hazards:hidden-list"),
        ("安全监管", "统计与逾期清单", "hazards:statistics"),
    ]
    map_overlays = [("risk-points", "风险点（四色）", "hazards:risk-points-geojson", "", "#e53935")]

    def start_background(self, stop_event: threading.Event) -> None:
        """Embedded mode: check overdue major hidden hazards every 10 minutes and escalate them."""
        from yingji.jobs.services import run_periodically

        from .loop import escalate_overdue

        run_periodically("hazards-escalation", ESCALATION_CHECK_SECONDS, escalate_overdue, stop_event)
