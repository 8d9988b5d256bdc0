"""分类分级 and the annual plan: suggested grades, approval before generation, key inspections of
every A-grade enterprise, recorded and reproducible 双随机 draws of enterprises and inspectors."""

from __future__ import annotations

import pytest

from yingji.core.errors import ServiceError
from yingji.enforcement import plans
from yingji.enforcement.models import Inspection, RandomDraw, SupervisionGrade
from yingji.regions.models import Enterprise
from yingji.rules import enforcement as rules
from yingji.rules.uscc import make_uscc

from tests.conftest import ZHANGWU


@pytest.fixture
def register(enterprises):
    mines = [Enterprise.objects.create(name=f"彰武测试矿业{i}", uscc=make_uscc("9", "1", "210922", f"MB{i:07d}"),
                                       industry="non_coal_mine", division_code=ZHANGWU) for i in range(2)]
    hazchem = [Enterprise.objects.create(name=f"彰武测试化工{i}", uscc=make_uscc("9", "1", "210922", f"MC{i:07d}"),
                                         industry="hazchem", division_code=ZHANGWU) for i in range(9)]
    return mines, [enterprises[0], *hazchem]


def test_plan_from_grades_with_reproducible_draws(clock, staff, inspectors, register):
    user = staff["county"]
    mines, hazchem = register
    graded = plans.grade_enterprises(user, 2026)
    assert len(graded) == 12  # the county's supervised enterprises, not 海州's
    assert {g.enterprise_id: g.grade for g in graded if g.grade == "A"} == {m.pk: "A" for m in mines}
    plan = plans.create_plan(user, {"year": 2026, "name": "彰武县2026年度监督检查计划", "division_code": ZHANGWU})
    with pytest.raises(ServiceError, match="计划尚未批准"):
        plans.generate_inspections(user, plan, "seed-1")
    with pytest.raises(ServiceError, match="请填写批准文号"):
        plans.approve_plan(user, plan, " ")
    plans.approve_plan(user, plan, "彰安委〔2026〕1号")
    plan.refresh_from_db()
    created = plans.generate_inspections(user, plan, "seed-1")
    key = [i for i in created if i.source == "key"]
    drawn = [i for i in created if i.source == "random"]
    assert sorted(i.enterprise_id for i in key) == sorted(m.pk for m in mines)
    assert len(drawn) == 3  # 10 B-grade hazchem × 0.30
    (draw,) = RandomDraw.objects.filter(plan=plan, kind="enterprises")
    assert draw.seed == "seed-1:B" and draw.count == 3 and len(draw.candidates) == 10
    assert draw.result == rules.draw([str(e.pk) for e in hazchem], 3, "seed-1:B")
    assert sorted(int(pk) for pk in draw.result) == sorted(i.enterprise_id for i in drawn)
    assert all(d.reproduces() for d in RandomDraw.objects.filter(plan=plan))
    for inspection in created:  # a pair certified on the planned day (赵's certificate lapses on 31 March)
        assert inspection.inspector_a_id != inspection.inspector_b_id
        assert rules.inspector_problems([i.fact() for i in inspection.inspectors()], inspection.planned_on) == []
    # 赵 is a candidate exactly for the inspections planned while his certificate is valid (whether
    # the draw picks him depends on the record numbers, which differ between databases and runs).
    lapsed = inspectors[2].valid_until
    for inspection in created:
        (pair,) = RandomDraw.objects.filter(plan=plan, kind="inspectors", label=f"{inspection.enterprise.name}检查人员随机抽取")
        assert (str(inspectors[2].pk) in pair.candidates) == (inspection.planned_on <= lapsed)
        assert sorted(int(pk) for pk in pair.result) == sorted([inspection.inspector_a_id, inspection.inspector_b_id])
    assert not any(inspectors[2].pk in (i.inspector_a_id, i.inspector_b_id) for i in created
                   if i.planned_on.month > 3)
    with pytest.raises(ServiceError, match="已生成检查任务"):
        plans.generate_inspections(user, plan, "seed-2")
    tampered = RandomDraw.objects.get(plan=plan, kind="enterprises")
    tampered.result = list(reversed(tampered.result))
    assert not tampered.reproduces()


def test_a_second_plan_for_the_same_year_is_refused_and_grades_are_not_duplicated(clock, staff, inspectors, register):
    user = staff["county"]
    plans.grade_enterprises(user, 2026)
    assert plans.grade_enterprises(user, 2026) == []
    assert SupervisionGrade.objects.filter(year=2026).count() == 12
    plans.create_plan(user, {"year": 2026, "name": "计划", "division_code": ZHANGWU})
    with pytest.raises(ServiceError, match="2026 年度监督检查计划已存在"):
        plans.create_plan(user, {"year": 2026, "name": "计划二", "division_code": ZHANGWU})
    assert Inspection.objects.count() == 0
