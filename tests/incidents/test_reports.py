"""The report chain 首报 → 续报 → 终报 (+补报), versions kept, grade recomputed with reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.incidents.conftest import ART12
from yingji.core.errors import Forbidden, ValidationFailed
from yingji.incidents.models import IncidentReport, TimelineEntry
from yingji.incidents.services import close_incident, file_report


def report(user, incident, kind, **extra):
    data = {**ART12, "issuer": "李局长", **extra}
    return file_report(user, incident, kind, data)


def test_first_follow_ups_final_supplement_keep_every_version(officers, incident):
    zw = officers["zhangwu"]
    report(zw, incident, "first", injuries=2)
    report(zw, incident, "follow_up", deaths=1, injuries=3)
    report(zw, incident, "follow_up", deaths=3, injuries=3)
    report(zw, incident, "final", deaths=3, injuries=4, direct_loss_yuan="12000000")
    report(zw, incident, "supplement", deaths=4, injuries=4, direct_loss_yuan="12000000")
    versions = list(incident.reports.order_by("sequence").values_list("kind", "kind_sequence", "deaths"))
    assert versions == [("first", 1, 0), ("follow_up", 1, 1), ("follow_up", 2, 3), ("final", 1, 3),
                        ("supplement", 1, 4)]
    incident.refresh_from_db()
    assert incident.deaths == 4 and incident.injuries == 4  # the latest report's figures
    assert incident.state == "final_reported"
    assert str(incident.reports.get(sequence=3)) .endswith("续报（第2次）")


def test_grade_is_recomputed_with_reason_when_figures_change(officers, incident):
    zw = officers["zhangwu"]
    report(zw, incident, "first")
    incident.refresh_from_db()
    assert incident.grade_name == "一般事故"
    report(zw, incident, "follow_up", deaths=3)
    incident.refresh_from_db()
    assert (incident.grade_name, incident.grade_level) == ("较大事故", 3)
    assert any("死亡3人" in r for r in incident.grade_reasons)
    change = TimelineEntry.objects.get(incident=incident, kind="grade")
    assert "一般事故" in change.text and "较大事故" in change.text and "死亡3人" in change.text


@pytest.mark.parametrize("deaths,serious,loss,grade", [
    (2, 0, "0", "一般事故"), (3, 0, "0", "较大事故"), (9, 0, "0", "较大事故"), (10, 0, "0", "重大事故"),
    (29, 0, "0", "重大事故"), (30, 0, "0", "特别重大事故"),
    (0, 9, "0", "一般事故"), (0, 10, "0", "较大事故"), (0, 49, "0", "较大事故"), (0, 50, "0", "重大事故"),
    (0, 99, "0", "重大事故"), (0, 100, "0", "特别重大事故"),
    (0, 0, "9999999.99", "一般事故"), (0, 0, "10000000", "较大事故"), (0, 0, "49999999.99", "较大事故"),
    (0, 0, "50000000", "重大事故"), (0, 0, "99999999.99", "重大事故"), (0, 0, "100000000", "特别重大事故"),
    (2, 50, "10000000", "重大事故"),  # the most severe criterion wins
])
def test_incident_grade_on_every_boundary(officers, incident, deaths, serious, loss, grade):
    report(officers["zhangwu"], incident, "first", deaths=deaths, serious_injuries=serious, direct_loss_yuan=loss)
    incident.refresh_from_db()
    assert incident.grade_name == grade


def test_final_before_first_is_refused(officers, incident):
    with pytest.raises(ValidationFailed, match=r"当前状态为“已接报”，不能执行“终报”") as exc:
        report(officers["zhangwu"], incident, "final")
    assert "不能执行“终报”" in exc.value.message
    assert IncidentReport.objects.count() == 0


def test_follow_up_on_a_closed_incident_is_refused(officers, incident):
    zw = officers["zhangwu"]
    report(zw, incident, "first")
    report(zw, incident, "final")
    close_incident(zw, incident)
    with pytest.raises(ValidationFailed, match=r"当前状态为“已办结”，不能执行“续报”") as exc:
        report(zw, incident, "follow_up")
    assert "已办结" in exc.value.message
    assert incident.reports.count() == 2


def test_second_first_report_is_refused(officers, incident):
    report(officers["zhangwu"], incident, "first")
    with pytest.raises(ValidationFailed, match=r"当前状态为“已首报”，不能执行“首报”"):
        report(officers["zhangwu"], incident, "first")


def test_report_missing_art12_items_is_refused(officers, incident):
    with pytest.raises(ValidationFailed, match=r"报告缺少《生产安全事故报告和调查处理条例》第十二条规定的内容：已经采取的措施") as exc:
        report(officers["zhangwu"], incident, "first", measures_taken="")
    assert "已经采取的措施" in exc.value.message


def test_report_time_before_the_incident_is_refused(officers, incident):
    with pytest.raises(ValidationFailed, match=r"时间有误：报告时间不能早于事发时间") as exc:
        report(officers["zhangwu"], incident, "first", report_at=incident.occurred_at - dt.timedelta(hours=1))
    assert "报告时间不能早于事发时间" in exc.value.message


def test_report_time_far_in_the_future_is_refused(officers, incident):
    with pytest.raises(ValidationFailed, match=r"时间有误：报告时间晚于当前时间，请检查是否填错") as exc:
        report(officers["zhangwu"], incident, "first", report_at=timezone.now() + dt.timedelta(hours=3))
    assert "晚于当前时间" in exc.value.message


def test_negative_figures_in_a_report_are_refused(officers, incident):
    with pytest.raises(ValidationFailed, match=r"输入有误：死亡不能为负数") as exc:
        report(officers["zhangwu"], incident, "first", deaths=-2)
    assert "不能为负数" in exc.value.message
    assert incident.reports.count() == 0


def test_other_county_cannot_report_on_the_incident(officers, incident):
    with pytest.raises(Forbidden, match=r"“彰武县某化工企业储罐泄漏起火”不在您的管辖范围"):
        report(officers["haizhou"], incident, "first")


def test_non_accident_types_are_graded_by_the_configurable_table(officers, intake_data, make_user):
    from yingji.incidents.models import GradingTableConfig
    from yingji.incidents.services import take_call

    flood, _ = take_call(officers["zhangwu"], intake_data(type_code="natural.flood", title="彰武县洪涝", injuries=0))
    assert flood.grade_name == "未达到分级标准"
    report(officers["zhangwu"], flood, "first", deaths=15, missing=6)
    flood.refresh_from_db()
    assert flood.grade_name == "四级响应"  # national default: 死亡和失踪 20–50
    GradingTableConfig.objects.create(division_code="210900000000", event_scope="natural", table={
        "code": "fuxin.natural", "name": "阜新市自然灾害分级（测试）", "source": "测试", "level_names": {"3": "三级", "4": "四级"},
        "criteria": [{"code": "deaths_missing", "name": "死亡和失踪", "unit": "人",
                      "bands": {"3": [20, None], "4": [3, 20]}}]})
    report(officers["zhangwu"], flood, "follow_up", deaths=15, missing=6)
    flood.refresh_from_db()
    assert flood.grade_name == "三级"
    assert "阜新市自然灾害分级" in flood.grade_basis
