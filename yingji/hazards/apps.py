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

        def run():
            import logging

            from django.db import close_old_connections

            from .loop import escalate_overdue

            log = logging.getLogger(__name__)
            while not stop_event.is_set():
                try:
                    escalate_overdue()
                except Exception:  # noqa: BLE001 - keep the checker alive, log the failure
                    log.exception("逾期重大隐患升级检查失败")
                finally:
                    close_old_connections()
                stop_event.wait(ESCALATION_CHECK_SECONDS)

        threading.Thread(target=run, name="hazards-escalation", daemon=True).start()
