from yingji.core.apps import YingjiAppConfig


class LiveConfig(YingjiAppConfig):
    name = "yingji.live"
    label = "live"
    verbose_name = "实时推送"
