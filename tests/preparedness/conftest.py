"""Fixtures: people of the city and of 彰武县, two experts, a helper that drafts a plan with
text, and one that carries a plan through the lifecycle up to a given state."""

from __future__ import annotations

import pytest

from tests.conftest import CITY, ZHANGWU


@pytest.fixture
def people(make_user):
    return {
        "city": make_user("city_p", "city_admin", CITY),
        "city2": make_user("city_p2", "city_admin", CITY),
        "zhangwu": make_user("zw_p", "county_admin", ZHANGWU),
        "commander": make_user("cmd_p", "commander", CITY),
        "duty": make_user("duty_p", "duty_officer", CITY),
        "viewer": make_user("viewer_p", "readonly", CITY),
    }


@pytest.fixture
def experts(people):
    from yingji.core.records import create_record
    from yingji.resources.models import Expert

    return [create_record(people["city"], Expert, {
        "name": name, "category": "hazchem", "employer": "阜新市某研究院（合成）", "level": "city",
        "phone": "13800000000", "division_code": CITY}) for name in ("王专家", "李专家")]


@pytest.fixture
def draft(people):
    from yingji.preparedness.plans import create_plan

    def make(user="commander", **data):
        base = {"name": "阜新市危险化学品事故应急预案（测试）", "kind": "special", "owner_unit": "阜新市应急管理局",
                "division_code": CITY}
        return create_plan(people[user], {**base, **data}, text="第一章 总则\n1.1 编制目的\n为了规范危化事故应对。")

    return make


@pytest.fixture
def advance(people, experts):
    """Take a plan through the lifecycle up to ``target`` with the real services."""
    from yingji.preparedness.plans import act, record_opinion

    def run(plan, target: str):
        steps = ["consult", "review", "submit", "approve", "publish", "file"]
        stop = {"consulting": 1, "reviewing": 2, "approving": 3, "approved": 4, "published": 5, "filed": 6}[target]
        for action in steps[:stop]:
            if action == "review":
                record_opinion(people["commander"], plan, {"source": "阜新市公安局", "content": "建议补充交通管制措施"})
            if action == "submit":
                record_opinion(people["commander"], plan, {"expert_id": experts[0].pk, "conclusion": "pass",
                                                           "content": "结构完整，措施可行"})
            who = people["city"] if action in ("approve", "publish") else people["commander"]
            plan = act(who, plan, action, receipt="阜应急备〔2026〕1号")
        return plan

    return run
