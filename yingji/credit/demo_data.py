"""Demo step (91): one enterprise on the serious-dishonesty list after an objection, from the
largest closed case of the enforcement demo — all through the real services, synthetic."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yingji.accounts.models import User
from yingji.demo import profile
from yingji.demo.steps import demo_step
from yingji.enforcement.models import Case
from yingji.rules.enforcement import add_working_days

from . import services
from .models import Listing


@demo_step(91, "严重失信主体名单（合成：一家企业经异议后列入）")
def load_credit() -> int:
    if Listing.objects.filter(is_synthetic=True).exists():
        return 0
    p = profile.current()
    supervisor = User.objects.filter(username=p.username("supervisor")).first()
    case = Case.objects.filter(is_synthetic=True, state="closed").order_by("-fine_yuan").first()
    if supervisor is None or case is None:
        return 0
    today = timezone.localdate()
    notice = case.decided_on + dt.timedelta(days=5)
    if add_working_days(notice, 8) > today:
        return 0
    listing = services.propose(supervisor, {
        "enterprise": case.enterprise, "case": case, "condition": "9", "notice_on": notice, "is_synthetic": True,
        "persons": "主要负责人（示例）", "facts": "拒不执行责令限期整改指令，逾期未消除事故隐患（示例）"})
    services.step(supervisor, listing.pk, "object", {
        "objection": "整改已在指令期限后数日内完成，请求不予列入（示例）", "objection_on": notice + dt.timedelta(days=1)})
    decided = add_working_days(notice, 6)
    services.step(supervisor, listing.pk, "decide", {
        "decision_number": f"{p.demo['abbr']}应急失信〔{decided.year}〕1号（示例）", "decided_on": decided,
        "reply": "经复核，整改期满后仍拒不整改，且经处罚后方整改，异议不成立（示例）"})
    services.step(supervisor, listing.pk, "publish", {"published_on": add_working_days(decided, 2)})
    return 1
