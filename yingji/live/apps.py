from yingji.core.apps import YingjiAppConfig


class LiveConfig(YingjiAppConfig):
    name = "yingji.live"
    label = "live"
    verbose_name = "实时推送"

    def ready(self):
        super().ready()
        # Progress reports of long operations (jobs.progress, below us in the floor) go out live.
        from yingji.jobs.progress import listen

        from .progress import push

        listen(push)
