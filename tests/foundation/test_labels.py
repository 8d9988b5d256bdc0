"""Field names in audit entries: a reverse relation (children written with their parent, e.g. a
plan's evaluations) reads as its model's Chinese name instead of breaking the audit page."""

from yingji.core.labels import field_name


def test_field_names_of_fields_and_reverse_relations():
    assert field_name("warnings.Warning", "state") == "状态"
    assert field_name("preparedness.EmergencyPlan", "evaluations") == "预案评估"
    assert field_name("warnings.Warning", "version") == "版本"
    assert field_name("no.Such", "state") == "state"
