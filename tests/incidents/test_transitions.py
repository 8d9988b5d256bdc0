"""The report chain through the shared transition helper (``yingji.core.records.transition``):
an illegal step is a 400 with the chain's Chinese message and writes nothing; a legal one
records who, when and the note in the audit log and bumps the version."""

from __future__ import annotations

import pytest

from tests.incidents.test_reports import report


def test_close_before_the_final_report_is_refused_with_the_chains_message(officers, incident):
    from yingji.audit.models import AuditEntry
    from yingji.core.errors import ValidationFailed
    from yingji.incidents.models import Incident
    from yingji.incidents.services import close_incident

    zw = officers["zhangwu"]
    report(zw, incident, "first")
    incident.refresh_from_db()
    count = AuditEntry.objects.filter(model="incidents.Incident", object_id=str(incident.pk)).count()
    with pytest.raises(ValidationFailed, match="当前状态为“已首报”，不能执行“办结”（仅限：已终报）") as info:
        close_incident(zw, incident)
    assert info.value.code == "illegal_transition"
    fresh = Incident.objects.get(pk=incident.pk)
    assert (fresh.state, fresh.version, fresh.closed_at) == ("first_reported", incident.version, None)
    assert AuditEntry.objects.filter(model="incidents.Incident", object_id=str(incident.pk)).count() == count


def test_each_step_of_the_chain_is_audited_with_who_when_and_note(officers, incident):
    from yingji.audit.models import AuditEntry
    from yingji.incidents.services import close_incident

    zw = officers["zhangwu"]
    report(zw, incident, "first")
    report(zw, incident, "final")
    incident.refresh_from_db()
    closed = close_incident(zw, incident)
    assert closed.state == "closed" and closed.version == incident.version + 1
    steps = AuditEntry.objects.filter(model="incidents.Incident", object_id=str(incident.pk),
                                      action="transition").order_by("id")
    assert [(e.note, e.actor_id, e.before["state"], e.after["state"]) for e in steps] == [
        ("首报", zw.pk, "received", "first_reported"),
        ("终报", zw.pk, "first_reported", "final_reported"),
        ("办结", zw.pk, "final_reported", "closed"),
    ]
    assert all(e.at is not None and e.actor_name == zw.username for e in steps)
