"""Operations tests reuse the monitoring fixtures (a tank farm with graded thresholds)."""

from tests.monitoring.conftest import pipeline, require_broker, tank  # noqa: F401 (fixtures)
