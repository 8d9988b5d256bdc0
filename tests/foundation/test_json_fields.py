"""JSON fields in registry forms (relief thresholds, grading tables): shown indented with Chinese
as written, and a syntax error answered in Chinese with its line and column; nothing written."""

from __future__ import annotations

from django.test import Client

from yingji.disasters.models import ReliefTableConfig

GOOD = '{"1": {"dead_missing": 30}, "2": {"dead_missing": 10}}'


def test_a_json_field_is_edited_as_readable_json_with_chinese_errors(make_user):
    client = Client()
    client.force_login(make_user("city_j", "city_admin"))
    bad = client.post("/r/relief-tables/new/", {
        "code": "test-table", "name": "测试分级表", "document": "阜政办发〔2026〕1号", "source": "测试",
        "thresholds": '{"1": {dead_missing: 30}}', "active": "on", "division_code": "210900000000"})
    page = bad.content.decode()
    assert bad.status_code in (200, 400)
    assert "不是有效的 JSON：第 1 行第 8 列附近键名须用英文双引号括起" in page
    assert ReliefTableConfig.objects.filter(code="test-table").count() == 0
    client.post("/r/relief-tables/new/", {
        "code": "test-table", "name": "测试分级表", "document": "阜政办发〔2026〕1号", "source": "测试",
        "thresholds": GOOD, "active": "on", "division_code": "210900000000"})
    table = ReliefTableConfig.objects.get(code="test-table")
    assert table.thresholds == {"1": {"dead_missing": 30}, "2": {"dead_missing": 10}}
    edit = client.get(f"/r/relief-tables/{table.pk}/edit/").content.decode()
    assert '{\n  &quot;1&quot;: {\n    &quot;dead_missing&quot;: 30' in edit and "json-input" in edit


def test_json_is_shown_with_chinese_as_written():
    from yingji.core.registry import JsonTextField

    assert JsonTextField().prepare_value({"说明": "示例"}) == '{\n  "说明": "示例"\n}'
