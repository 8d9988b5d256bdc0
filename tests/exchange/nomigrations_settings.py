"""Settings used only to build the second installation's schema quickly in the two-installation
test: tables created from the models (``migrate --run-syncdb``), as pytest-django's
``--nomigrations`` does, instead of replaying every migration (over a minute on a loaded 2-core
machine). The servers themselves run with the project's settings."""

from yingji.settings import *  # noqa: F403
from yingji.settings import INSTALLED_APPS

MIGRATION_MODULES = {app.rsplit(".", 1)[-1]: None for app in INSTALLED_APPS}
