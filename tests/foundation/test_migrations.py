"""Every model change ships with its migration: a label or help text changed without one would
make the next `yingji migrate` on a bureau's server report unapplied changes."""
from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:  # --check exits 1 when a migration is missing
        pytest.fail(f"models changed without a migration (exit {exit_.code}):\n{out.getvalue()}")
