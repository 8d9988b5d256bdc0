"""Operations tests reuse the monitoring fixtures (a tank farm with graded thresholds)."""

from tests.monitoring.conftest import pipeline, require_broker, tank  # noqa: F401 (fixtures)


import os  # noqa: E402

import pytest  # noqa: E402


# Tests that copy the migrated test database (``migrated``) carry this mark. SQLite copies the
# in-memory test database with its backup API, which waits while a write transaction is open: no
# test transaction there. PostgreSQL copies with pg_dump, which reads a snapshot beside the test's
# transaction (and a flush after a transactional test would hit the audit log's triggers).
COPIES_TEST_DB = pytest.mark.django_db(transaction=not os.environ.get("DATABASE_URL", "").startswith("postgres"))


@pytest.fixture
def migrated(tmp_path):
    """``migrated(purpose)``: a new database of its own, already migrated (a copy of the test
    database), dropped after the test. The test must carry ``COPIES_TEST_DB``."""
    from tests.databases import migrated_copy

    made = []

    def make(purpose):
        copy = migrated_copy(tmp_path, purpose)
        made.append(copy)
        return copy

    yield make
    for copy in made:
        copy.drop()
