"""Table-top replay: the scenario's injects and the electronic plan's steps replayed one at a
time, each decision timed against the plan's limit; the end writes the drill record with the
timings and an improvement item for every step late or not reached."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from tests.conftest import CITY
from yingji.core.errors import Conflict
from yingji.preparedness import tabletop
from yingji.preparedness.registries import DRILLS

START = dt.datetime(2026, 7, 15, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
SCENARIO = "某化工园区储罐区发生泄漏（合成情景）。\nT+0 企业报告2号储罐法兰泄漏\nT+15：现场出现人员中毒\n一般叙述行不作为注入"


def test_injects_are_the_timed_lines_of_the_scenario():
    assert tabletop.injects(SCENARIO) == [(0, "企业报告2号储罐法兰泄漏"), (15, "现场出现人员中毒")]
    assert tabletop.injects("T+5分钟 通知医疗组\n无时间的行") == [(5, "通知医疗组")]


def test_a_replay_times_each_step_and_writes_the_drill_record(people, draft, advance):
    from yingji.command.plans import create_plan

    with time_machine.travel(START, tick=False) as clock:
        electronic = create_plan(people["city"], {
            "name": "危化事故应急预案（电子）", "kind": "special", "event_types": ["accident.hazchem"], "division_code": CITY,
            "levels": [{"level": 3, "incident_grades": [3], "activation_conditions": "较大事故", "actions": [
                {"unit_name": "市应急管理局", "action": "启动Ⅲ级响应并通知成员单位", "due_minutes": 10},
                {"unit_name": "市生态环境局", "action": "开展下风向大气监测", "due_minutes": 30},
                {"unit_name": "市卫生健康委", "action": "派出医疗救护队", "due_minutes": 20}]}]})
        plan = advance(draft(electronic_id=electronic.pk), "filed")
        drill = DRILLS.create(people["duty"], {"title": "危化泄漏桌面推演", "kind": "tabletop", "organiser": "市应急管理局",
                                               "held_on": "2026-07-20", "state": "planned", "plan": plan.pk,
                                               "scenario": SCENARIO, "division_code": CITY})
        field = DRILLS.create(people["duty"], {"title": "实战演练", "kind": "field", "organiser": "市应急管理局",
                                               "held_on": "2026-07-20", "state": "planned", "division_code": CITY})
        with pytest.raises(Conflict, match="只有桌面推演形式"):
            tabletop.start(people["duty"], field, 3)
        client = Client()
        client.force_login(people["duty"])
        started = client.post(f"/preparedness/drills/{drill.pk}/tabletop/", {"action": "start", "level": "3"})
        assert started.status_code == 302
        run = drill.tabletop_runs.get()
        assert [(s.kind, s.text) for s in run.steps.all()][:3] == [
            ("inject", "企业报告2号储罐法兰泄漏"), ("inject", "现场出现人员中毒"), ("action", "启动Ⅲ级响应并通知成员单位")]
        with pytest.raises(Conflict, match="已有进行中的推演"):
            tabletop.start(people["duty"], drill, 3)
        page = client.get(started["Location"]).content.decode()
        assert "企业报告2号储罐法兰泄漏" in page and "第 1 步" in page
        for minutes, decision in ((1, "值班员接报并核实"), (15, "通知卫健委"), (24, "局长宣布启动Ⅲ级响应")):
            clock.move_to(START + dt.timedelta(minutes=minutes))
            client.post(f"/preparedness/drills/{drill.pk}/tabletop/", {"action": "record", "run": run.pk,
                                                                         "decision": decision})
        # Step 3 (启动Ⅲ级响应, limit 10 min) took 24 min: late. Step 4 in time; step 5 never reached.
        clock.move_to(START + dt.timedelta(minutes=28))
        tabletop.record(people["duty"], run, "生态环境局赶赴现场布点监测")
        clock.move_to(START + dt.timedelta(minutes=40))
        done = client.post(f"/preparedness/drills/{drill.pk}/tabletop/", {"action": "finish", "run": run.pk})
        assert done.status_code == 302
        steps = {s.order: s for s in run.steps.all()}
        assert (steps[3].elapsed_minutes, steps[3].late) == (24, True) and steps[4].late is False
        assert steps[5].done_at is None
        drill.refresh_from_db()
        assert drill.state == "held" and drill.held_on == dt.date(2026, 7, 15)
        assert "3. 市应急管理局：启动Ⅲ级响应并通知成员单位 — 第 24 分钟，时限 10 分钟（超时）" in drill.evaluation
        assert "未推演到" in drill.evaluation
        findings = sorted(i.finding for i in drill.improvements.all())
        assert len(findings) == 2 and "超过预案时限 10 分钟" in findings[0] + findings[1]
        with pytest.raises(Conflict, match="推演已结束"):
            tabletop.record(people["duty"], run, "x")
        client.force_login(people["viewer"])
        view = client.get(f"/preparedness/drills/{drill.pk}/tabletop/{run.pk}/").content.decode()
        assert "（超时）" in view and "结束推演并写入演练记录" not in view
