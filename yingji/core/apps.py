from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps

# Modules an app may provide; each is imported once at start-up when it exists:
#   registries  declares Registry objects (list/detail/form/export pages and API routes)
#   signals     connects signal handlers
APP_MODULES = ("registries", "signals")


def optional_module(app_name: str, module: str) -> ModuleType | None:
    """``<app>.<module>`` if the app provides it, else None (a broken import still raises)."""
    try:
        return import_module(f"{app_name}.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app_name}.{module}":
            raise
        return None


def app_modules(module: str, exclude: tuple[str, ...] = ()) -> list[tuple[AppConfig, ModuleType]]:
    """Every Yingji app's optional ``module`` (the app hooks: urls, api, dashboard, ...)."""
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("yingji.") and config.label not in exclude:
            loaded = optional_module(config.name, module)
            if loaded is not None:
                found.append((config, loaded))
    return found


def import_app_modules(app_name: str) -> None:
    for module in APP_MODULES:
        optional_module(app_name, module)


class CoreConfig(AppConfig):
    name = "yingji.core"
    label = "core"
    verbose_name = "平台基础"

    def ready(self):
        # Imported here, not at the top: the job handler module needs the models (app registry ready).
        from . import batches  # noqa: F401  (registers the spreadsheet-import job handler)
