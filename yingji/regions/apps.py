from django.db.models.signals import post_migrate

from yingji.core.apps import YingjiAppConfig


class RegionsConfig(YingjiAppConfig):
    name = "yingji.regions"
    label = "regions"
    verbose_name = "行政区划与组织机构"
    startup_modules = ("registries",)

    def ready(self):
        super().ready()
        from . import services  # models are ready only now

        post_migrate.connect(services.load_divisions_after_migrate, sender=self)
