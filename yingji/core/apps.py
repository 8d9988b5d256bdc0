from importlib import import_module

from django.apps import AppConfig

# Modules an app may provide; each is imported once at start-up when it exists:
#   registries  declares Registry objects (list/detail/form/export pages and API routes)
#   signals     connects signal handlers
APP_MODULES = ("registries", "signals")


def import_app_modules(app_name: str) -> None:
    for module in APP_MODULES:
        try:
            import_module(f"{app_name}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app_name}.{module}":
                raise


class CoreConfig(AppConfig):
    name = "yingji.core"
    label = "core"
    verbose_name = "平台基础"
