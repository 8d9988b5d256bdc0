from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "yingji.regions"
    label = "regions"
    verbose_name = "行政区划与组织机构"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import registries, services  # noqa: F401  (registries declare themselves)

        post_migrate.connect(services.load_divisions_after_migrate, sender=self)
