"""Command matches its electronic plans through the plan registry (the ``plan_registry`` hook):
a plan the registry has not put in force is not proposed, one in force says so with its
number; the public list of published plans."""

from __future__ import annotations

from tests.conftest import CITY


def _electronic(user, name="阜新市危险化学品事故应急预案（电子）"):
    from yingji.command.plans import create_plan

    return create_plan(user, {"name": name, "kind": "special", "event_types": ["accident.hazchem"],
                              "division_code": CITY, "lead_unit": "市应急管理局",
                              "levels": [{"level": 3, "incident_grades": [3], "activation_conditions": "较大事故"}]})


def test_command_proposes_only_plans_the_registry_has_in_force(people, draft, advance):
    from yingji.command.plans import propose
    from yingji.preparedness.plan_registry import published_plans

    electronic = _electronic(people["city"])
    unlinked = _electronic(people["city"], "阜新市危化品道路运输事故应急预案（电子，未入库）")
    registry = draft(electronic_id=electronic.pk, document_number="阜政办发〔2026〕3号")
    found = {p["plan_id"]: p for p in propose(people["commander"], "accident.hazchem", 3, CITY)}
    assert electronic.pk not in found  # the registry record is still a draft
    assert "该数字化预案未关联预案库中的预案" in found[unlinked.pk]["reasons"]
    assert list(published_plans()) == []
    advance(registry, "filed")
    found = {p["plan_id"]: p for p in propose(people["commander"], "accident.hazchem", 3, CITY)}
    assert "预案库：《阜新市危险化学品事故应急预案（测试）》（阜政办发〔2026〕3号）已备案" in found[electronic.pk]["reasons"]
    assert [p.name for p in published_plans(CITY[:4])] == ["阜新市危险化学品事故应急预案（测试）"]
    secret = advance(draft(name="涉密预案（测试）", classified=True), "published")
    assert secret.state == "published" and secret not in list(published_plans())
