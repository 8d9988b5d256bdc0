"""The periodic sweep of the preparedness app (started by ``apps.start_background``)."""

from __future__ import annotations

from . import exams, plans


def sweep() -> dict:
    return {"revision_tasks": plans.sweep_triggers(), "expired_attempts": exams.expire_overdue()}
