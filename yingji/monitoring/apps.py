import os
import threading

from yingji.core.apps import YingjiAppConfig


class MonitoringConfig(YingjiAppConfig):
    name = "yingji.monitoring"
    label = "monitoring"
    verbose_name = "监测预警"
    startup_modules = ("registries",)
    cli_commands = {"ingest": "ingest", "simulate": "simulate"}
    nav_links = [
        ("监测预警", "值班监测台", "monitoring-console"),
        ("监测预警", "监测报警", "monitoring-alarms"),
        ("监测预警", "企业监测", "monitoring-enterprises"),
        ("监测预警", "隔离数据", "monitoring-quarantine", "monitoring.quarantine"),
    ]
    map_overlays = [("monitoring-alarms", "监测报警（未关闭）", "monitoring-alarms-geojson", "警", "#c62828")]

    def start_background(self, stop_event: threading.Event) -> None:
        """Embedded mode: the MQTT ingest worker when a broker is configured (YINGJI_MQTT_URL),
        otherwise the housekeeping loop (stale sweep, escalation, roll-ups) for HTTP ingest;
        and the sensor simulator for the synthetic demo sensors (YINGJI_SIMULATE=0 disables)."""
        from .mqtt import broker_url

        url = broker_url()
        if url:
            from .mqtt import IngestWorker

            worker = IngestWorker(url, client_id=os.environ.get("YINGJI_MQTT_CLIENT_ID", "yingji-ingest"))
            threading.Thread(target=worker.run, args=(stop_event,), name="yingji-ingest", daemon=True).start()
        else:
            from yingji.jobs.services import run_periodically

            from .mqtt import start_maintenance

            run_periodically("yingji-monitoring", 5.0, _housekeeping, stop_event)
            start_maintenance(stop_event)
        if os.environ.get("YINGJI_SIMULATE", "1") == "1":
            from .simulator import run_embedded

            threading.Thread(target=run_embedded, args=(stop_event, url), name="yingji-simulator", daemon=True).start()


def _housekeeping() -> None:
    """Stale-sensor sweep and escalation when no MQTT worker runs in this process (the roll-ups
    and retention run on their own thread, ``mqtt.start_maintenance``)."""
    from .ingest import pipeline
    from .mqtt import periodic

    periodic(pipeline())
