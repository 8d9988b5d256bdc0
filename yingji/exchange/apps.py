import threading

from yingji.core.apps import YingjiAppConfig


class ExchangeConfig(YingjiAppConfig):
    name = "yingji.exchange"
    label = "exchange"
    verbose_name = "上下级平台对接"
    startup_modules = ("delivery",)
    nav_links = [
        ("政务管理", "上下级平台对接", "exchange:links", "exchange.view"),
        ("值班值守", "上下级报送", "exchange:received", "exchange.view"),
    ]
    cli_commands = {"exchange": "exchange"}

    def ready(self) -> None:
        super().ready()
        # The outbox is written inside every record write's transaction (AppConfig hook: the app
        # registry is ready here).
        from yingji.core.records import on_write

        from .outbox import on_write as outbox_listener

        on_write(outbox_listener)

    def start_background(self, stop_event: threading.Event) -> None:
        """A child polls its parent (deliveries and downward messages) every
        YINGJI_EXCHANGE_POLL_SECONDS; after failures the link's back-off decides."""
        from django.conf import settings

        from yingji.jobs.services import run_periodically

        from .services import tick

        run_periodically("exchange-poll", settings.YINGJI_EXCHANGE_POLL_SECONDS, tick, stop_event)
