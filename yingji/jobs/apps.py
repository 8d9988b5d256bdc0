from yingji.core.apps import YingjiAppConfig


class JobsConfig(YingjiAppConfig):
    name = "yingji.jobs"
    label = "jobs"
    verbose_name = "后台任务"
