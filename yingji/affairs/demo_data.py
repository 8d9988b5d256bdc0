"""Demo step (92): 督查督办 tasks for the profile's units (Fuxin: its seven counties/districts;
done, open, overdue and escalated), a few registered documents, and the year's assessment of the
units scored by hand and from the platform's figures — synthetic, through the
real services."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from yingji.accounts.models import User
from yingji.demo import profile
from yingji.demo.steps import SEED, demo_step
from yingji.regions.models import Organisation
from yingji.regions.services import name_of

from . import services
from .models import Assessment

TASKS = [
    ("落实危险化学品企业安全风险隐患排查治理专项行动（示例）", "superior", 40),
    ("完成尾矿库汛前安全检查并报送检查结果（示例）", "meeting", -20),
    ("组织开展森林草原防灭火隐患排查（示例）", "plan", 15),
    ("整改市安委会督查发现的非煤矿山问题（示例）", "inspection", -5),
]


@demo_step(92, "督查督办、收发文与年度考核（合成）")
def load_affairs() -> int:
    if Assessment.objects.filter(is_synthetic=True).exists():
        return 0
    p = profile.current()
    COUNTIES = [u.code12 for u in p.units][:p.demo.get("affairs_units", 7)]  # noqa: N806
    focus, second = profile.focus(p).code12, profile.second(p).code12
    if focus not in COUNTIES:
        COUNTIES[-1] = focus
    if second not in COUNTIES:
        COUNTIES[-2] = second
    names = {p.username(slot): slot for slot in ("city", "focus_admin", "second_admin")}
    users = {names[u.username]: u for u in User.objects.filter(username__in=list(names))}
    if len(users) < 3:
        return 0
    city = users["city"]
    today = timezone.localdate()
    rng = random.Random(SEED + 92)
    doc = services.register_document(city, {
        "direction": "in", "number": f"辽安委办〔{today.year}〕12号（示例）", "title": "关于开展安全生产专项整治的通知（示例）",
        "counterpart": "辽宁省安全生产委员会办公室（示例）", "dated": today - dt.timedelta(days=60), "urgency": "urgent",
        "state": "signed", "signed_by": "局长（示例）", "signed_on": today - dt.timedelta(days=59),
        "circulation": "分管副局长（示例）：请危化科牵头落实", "division_code": p.root12, "is_synthetic": True})
    services.register_document(city, {
        "direction": "out", "number": f"{p.demo['abbr']}安委办〔{today.year}〕30号（示例）", "title": "关于印发年度安全生产考核细则的通知（示例）",
        "counterpart": f"{p.demo.get('units_word', '各县（区）人民政府')}（示例）", "dated": today - dt.timedelta(days=40), "state": "filed",
        "division_code": p.root12, "is_synthetic": True})
    count = 2
    for unit in COUNTIES:
        for title, source, days in TASKS:
            deadline = today + dt.timedelta(days=days + rng.randint(-3, 3))
            task = services.assign_task(city, {
                "title": title, "source": source, "content": f"{title}，按期报送办理结果。", "deadline": deadline,
                "assignee": f"{name_of(unit)}人民政府", "division_code": unit, "is_synthetic": True,
                "document": doc if source == "superior" else None}, backfill=True)
            count += 1
            if days < 0 and rng.random() < 0.6:  # most past-due tasks were done on time
                actor = users["focus_admin"] if unit == focus else users["second_admin"] if unit == second else city
                services.task_step(actor, task.pk, "submit", {"progress": "已按要求完成（示例）", "day": min(today, deadline)})
                services.task_step(city, task.pk, "accept")
    services.sweep_tasks(today)
    departments = list(Organisation.objects.filter(kind="department", division_code="210900000000")
                       .order_by("pk").values_list("pk", flat=True)[:3])
    assessment = services.create_assessment(city, {
        "year": today.year, "name": f"{today.year}年度安全生产和消防工作考核（示例）", "units": COUNTIES,
        "departments": departments, "is_synthetic": True}, [
        {"name": "安全生产责任制落实", "points": Decimal(30), "criteria": "党政同责、一岗双责落实情况（示例）"},
        {"name": "隐患排查治理", "points": Decimal(25), "metric": "hazard_closure"},
        {"name": "事故控制", "points": Decimal(25), "metric": "accident_deaths"},
        {"name": "督办事项落实", "points": Decimal(10), "metric": "tasks_on_time"},
        {"name": "应急演练", "points": Decimal(10), "metric": "drill_compliance"},
    ])
    hand = assessment.items.get(metric="")
    for unit in assessment.units:
        services.score(city, hand, unit, str(rng.choice([0, 1, 2, 3, 4.5, 6])), "现场核查扣分（示例）")
    services.fill_metrics(city, assessment)
    services.adjust(city, assessment, COUNTIES[rng.randrange(len(COUNTIES))], "1", False, "获省级安全生产表彰（示例）")
    return count + 1
