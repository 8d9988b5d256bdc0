import threading

from yingji.core.apps import YingjiAppConfig

EXPIRY_CHECK_SECONDS = 3600


class CreditConfig(YingjiAppConfig):
    name = "yingji.credit"
    label = "credit"
    verbose_name = "安全生产信用"
    nav_links = [
        ("安全监管", "信用查询与失信名单", "credit:index"),
    ]

    def start_background(self, stop_event: threading.Event) -> None:
        """Embedded mode: remove listings whose three years have run out (期满移出), hourly."""
        from yingji.jobs.services import run_periodically

        from .services import expire_listings

        run_periodically("credit-expiry", EXPIRY_CHECK_SECONDS, expire_listings, stop_event)
