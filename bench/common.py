"""What several benchmarks share."""

from __future__ import annotations

import os


def migrated_django(tmp: str) -> None:
    """Django set up with ``tmp`` as the data directory (a fresh SQLite database there, unless
    ``DATABASE_URL`` names a scratch PostgreSQL database) and every migration applied."""
    os.environ.setdefault("YINGJI_DATA_DIR", tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
