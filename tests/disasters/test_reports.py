"""Loss reports: stage transitions, the jump rule, validation of the 其中 relations."""

from __future__ import annotations

import pytest

from tests.conftest import ZHANGWU
from tests.disasters.conftest import ZW_TOWN_A
from yingji.core.errors import Conflict, ValidationFailed


def test_stage_sequence_initial_updates_final(people, event, file):
    from yingji.disasters.services import mark_stabilised

    first = file("zhangwu", event, "initial", ZW_TOWN_A, affected_population=100)
    second = file("zhangwu", event, "update", ZW_TOWN_A, affected_population=150)
    third = file("zhangwu", event, "update", ZW_TOWN_A, affected_population=180)
    assert [r.sequence for r in (first, second, third)] == [1, 2, 3]
    with pytest.raises(Conflict, match="灾情稳定后"):
        file("zhangwu", event, "final", ZW_TOWN_A, affected_population=180)
    mark_stabilised(people["city"], event)
    event.refresh_from_db()
    final = file("zhangwu", event, "final", ZW_TOWN_A, affected_population=180)
    assert final.stage == "final" and final.sequence == 4
    with pytest.raises(Conflict, match="已核报"):
        file("zhangwu", event, "update", ZW_TOWN_A, affected_population=180)


def test_first_report_must_be_initial_and_only_once(people, event, file):
    with pytest.raises(Conflict, match="先报送初报"):
        file("zhangwu", event, "update", ZW_TOWN_A)
    file("zhangwu", event, "initial", ZW_TOWN_A)
    with pytest.raises(Conflict, match="只能报送一次"):
        file("zhangwu", event, "initial", ZW_TOWN_A)
    with pytest.raises(ValidationFailed, match="未知的报告阶段"):
        file("zhangwu", event, "bogus", ZW_TOWN_A)


def test_stabilisation_is_audited_and_only_once(people, event):
    from yingji.audit.models import AuditEntry
    from yingji.disasters.services import mark_stabilised

    mark_stabilised(people["city"], event)
    assert AuditEntry.objects.filter(action="transition", note="灾情稳定").count() == 1
    with pytest.raises(Conflict, match="已于"):
        mark_stabilised(people["city"], event)


def test_a_sharp_jump_needs_a_written_explanation(people, event, file):
    file("zhangwu", event, "initial", ZW_TOWN_A, affected_population=100, deaths=1)
    with pytest.raises(ValidationFailed, match="大幅变化") as exc:
        file("zhangwu", event, "update", ZW_TOWN_A, affected_population=201, deaths=1)
    assert exc.value.code == "jump_unexplained" and "jump_explanation" in exc.value.fields
    report = file("zhangwu", event, "update", ZW_TOWN_A, affected_population=201, deaths=1,
                  jump_explanation="核查发现哈尔套村漏报")
    assert report.jumps == [{"field": "affected_population", "previous": "100", "current": "201", "kind": "increase"}]


def test_a_decrease_needs_an_explanation_but_a_doubling_does_not(people, event, file):
    file("zhangwu", event, "initial", ZW_TOWN_A, affected_population=100, missing=2)
    file("zhangwu", event, "update", ZW_TOWN_A, affected_population=200, missing=2)  # exactly doubles: fine
    with pytest.raises(ValidationFailed, match="大幅变化"):
        file("zhangwu", event, "update", ZW_TOWN_A, affected_population=200, missing=1)
    report = file("zhangwu", event, "update", ZW_TOWN_A, affected_population=200, missing=1, deaths=1,
                  jump_explanation="1名失踪人员已找到遗体，转为死亡")
    assert [j["field"] for j in report.jumps] == ["missing"]


def test_jump_rule_is_configurable_in_settings(people, event, file, settings):
    settings.YINGJI_DISASTER_JUMP_RULE = {"ratio": "0.2", "min_increase": "1"}
    file("zhangwu", event, "initial", ZW_TOWN_A, affected_population=100)
    with pytest.raises(ValidationFailed, match="大幅变化"):
        file("zhangwu", event, "update", ZW_TOWN_A, affected_population=121)


@pytest.mark.parametrize("figures, field", [
    ({"crop_affected_ha": "10", "crop_damaged_ha": "12"}, "crop_damaged_ha"),
    ({"crop_affected_ha": "10", "crop_damaged_ha": "5", "crop_lost_ha": "6"}, "crop_lost_ha"),
    ({"collapsed_rooms": 2, "collapsed_households": 3}, "collapsed_households"),
    ({"deaths": -1}, "deaths"),
    ({"direct_loss_wan": "abc"}, "direct_loss_wan"),
    ({"direct_loss_wan": "NaN"}, "direct_loss_wan"),
])
def test_invalid_figures_are_refused(people, event, file, figures, field):
    with pytest.raises(ValidationFailed) as exc:
        file("zhangwu", event, "initial", ZW_TOWN_A, **figures)
    assert field in exc.value.fields


def test_reports_are_audited_with_the_stage(people, event, file):
    from yingji.audit.models import AuditEntry

    report = file("zhangwu", event, "initial", ZHANGWU, deaths=1)
    entry = AuditEntry.objects.get(model="disasters.LossReport", object_id=str(report.pk))
    assert entry.action == "create" and entry.note == "初报"
