from yingji.core.apps import Searchable, YingjiAppConfig


class WarningsConfig(YingjiAppConfig):
    name = "yingji.warnings"
    label = "warnings"
    verbose_name = "预警信息发布"
    startup_modules = ("registries", "bulk")  # bulk: the background targeting job handler
    cli_commands = {"cap": "cap"}
    nav_links = [
        ("预警发布", "预警信息", "warnings:list"),
        ("预警发布", "起草预警", "warnings:create", "warnings.draft"),
        ("预警发布", "外部预警（CAP 接收）", "warnings:imports"),
        ("预警发布", "我的预警通知", "warnings:notices"),
        ("预警发布", "公众预警页面", "warnings:public"),
    ]
    searchables = [
        Searchable("warnings", "预警信息", "selectors.visible_warnings", ("headline", "event", "area_desc"), "warnings:detail",
                   detail="get_state_display"),
        Searchable("imported-alerts", "外部预警（CAP 接收）", "selectors.visible_imported",
                   ("headline", "event", "area_desc", "sender_name"), "warnings:imported", detail="sender_name"),
    ]
    map_overlays = [("warnings", "生效预警", "warnings:map-geojson", "", "#ef6c00")]

    def start_background(self, stop_event):
        """Embedded mode: one sender thread per channel and the CAP feed poller."""
        from .dispatch import start_senders
        from .feeds import start_feed_poller

        start_senders(stop_event)
        start_feed_poller(stop_event)

    def header_widget(self, request):
        from .selectors import header_widget

        return header_widget(request)
