"""Changed-field names in the audit log: a record audited with its child rows names a reverse
relation, which has no verbose name of its own — the audit page used to answer 500 on it."""

from yingji.core.labels import field_name


def test_field_names_of_fields_and_reverse_relations():
    assert field_name("enforcement.Case", "decided_on") == "决定日期"
    assert field_name("enforcement.Case", "evidence") == "证据"          # reverse relation: the child model's name
    assert field_name("enforcement.Case", "version") == "版本"
    assert field_name("enforcement.Case", "no_such_field") == "no_such_field"
