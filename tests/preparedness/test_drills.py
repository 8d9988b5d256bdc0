"""Drills against their quotas on the board (satisfied / due / overdue per kind of subject) and
improvement items that become tracked tasks, with a plan revision task when the plan is at fault."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.conftest import CITY, ZHANGWU
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.preparedness import drills, selectors
from yingji.preparedness.registries import DRILLS

TODAY = dt.date(2026, 7, 15)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 7, 15, 4, 0, tzinfo=dt.timezone.utc), tick=False):
        yield


def drill(user, **data):
    base = {"title": "演练（测试）", "kind": "tabletop", "organiser": "阜新市应急管理局", "held_on": "2026-03-01",
            "state": "held", "participant_count": 20, "division_code": CITY}
    return DRILLS.create(user, {**base, **data})


def test_board_states_per_kind(people, enterprises, draft, advance):
    enterprises[0].__class__.objects.filter(pk=enterprises[0].pk).update(scale="medium")  # a key enterprise
    with time_machine.travel(dt.datetime(2024, 1, 10, 2, 0, tzinfo=dt.timezone.utc), tick=False):
        special = advance(draft(), "filed")  # 专项: every 3 years from publication
    onsite = advance(draft(name="彰武化工现场处置方案（测试）", kind="enterprise_onsite", owner_unit="彰武测试化工有限公司",
                           enterprise_id=enterprises[0].pk, division_code=ZHANGWU), "published")
    drill(people["city"], title="市级危化综合演练", kind="comprehensive", large=True, plan=special.pk, held_on="2026-05-20")
    drill(people["zhangwu"], title="彰武县防汛桌面推演", division_code=ZHANGWU, held_on="2026-04-02")
    drill(people["zhangwu"], title="化工企业现场处置演练", enterprise=enterprises[0].pk, plan=onsite.pk,
          division_code=ZHANGWU, held_on="2025-12-01")
    drill(people["city"], title="计划中的演练", state="planned", held_on="2026-10-01", participant_count=0)
    rows = {(r["group"], r["subject"]): r for r in selectors.board(people["city"], TODAY)}
    assert rows[("预案", special.name)]["state"] == "satisfied"
    assert rows[("区划", "阜新市")]["state"] == "satisfied"  # one large drill this year
    assert rows[("区划", "彰武县")]["state"] == "due" and rows[("区划", "彰武县")]["done"] == 1  # 1 by 30 June, 2nd by 31 Dec
    assert rows[("区划", "海州区")]["state"] == "overdue" and rows[("区划", "海州区")]["done"] == 0
    onsite_row = rows[("预案", onsite.name)]
    assert onsite_row["quota"] == "enterprise_onsite" and onsite_row["state"] == "satisfied"  # published today: clock starts
    assert rows[("重点企业", enterprises[0].name)]["state"] == "overdue"  # 1 of 2 owed by 30 June, and that one was last year
    assert ("重点企业", enterprises[1].name) not in rows  # a small enterprise is not on the key list
    county_view = {(r["group"], r["subject"]) for r in selectors.board(people["zhangwu"], TODAY)}
    assert ("区划", "海州区") not in county_view and ("区划", "彰武县") in county_view


def test_held_drill_cannot_be_in_the_future_and_needs_participants(people):
    with pytest.raises(ValidationFailed, match="已实施的演练日期不能晚于今天"):
        drill(people["city"], held_on="2026-07-18")
    with pytest.raises(ValidationFailed, match="须填写参演人数"):
        drill(people["city"], participant_count=0)
    with pytest.raises(Forbidden, match="无权修改应急演练"):
        drill(people["viewer"])


def test_improvement_items_are_tracked_and_raise_a_plan_revision(people, draft, advance):
    plan = advance(draft(), "filed")
    held = drill(people["duty"], plan=plan.pk, title="危化泄漏桌面推演")
    item = drills.add_improvement(people["duty"], held, {
        "finding": "现场指挥部与医疗组通信不畅", "action": "配备卫星电话并修订通信保障章节", "owner_unit": "阜新市应急管理局",
        "due_on": "2026-09-30", "plan_issue": "1"})
    task = plan.revision_tasks.get()
    assert (task.trigger, task.owner_unit, task.due_on) == ("lessons", "阜新市应急管理局", dt.date(2026, 9, 30))
    assert "通信不畅" in task.detail
    assert [i.pk for i in selectors.open_improvements(people["city"])] == [item.pk]
    with pytest.raises(ValidationFailed, match="请填写整改结果"):
        drills.close_improvement(people["duty"], item, " ")
    drills.close_improvement(people["duty"], item, "已配备2部卫星电话")
    with pytest.raises(Conflict, match="已办结"):
        drills.close_improvement(people["duty"], item, "再次")
    assert list(selectors.open_improvements(people["city"])) == []
    with pytest.raises(ValidationFailed, match="整改期限不能早于演练日期"):
        drills.add_improvement(people["duty"], held, {"finding": "x", "action": "y", "owner_unit": "z", "due_on": "2026-01-01"})
    planned = drill(people["city"], state="planned", held_on="2026-12-01", participant_count=0)
    with pytest.raises(Conflict, match="演练尚未实施"):
        drills.add_improvement(people["city"], planned, {"finding": "x", "action": "y", "owner_unit": "z", "due_on": "2026-12-31"})
