"""Reads of training: hours against the required hours, certificates and their state, whether an
enterprise's key posts (三项岗位) are certified, and the yearly figures against the target."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from yingji.core import scope
from yingji.core import profile as installation
from yingji.core.errors import ValidationFailed
from yingji.regions.services import name_of
from yingji.rules import training as tr

from .models import Attendance, Certificate, ExamAttempt, ExamSession, Trainee

POST_CERTIFICATE = {"principal": "leader", "safety_manager": "leader", "special_operator": "special"}


def yearly_target() -> int:
    """YINGJI_TRAINING_YEARLY_TARGET if set, else the profile's [training] yearly_target (Fuxin 8,000)."""
    configured = getattr(settings, "YINGJI_TRAINING_YEARLY_TARGET", None)
    return int(configured or installation.current().training_yearly_target)  # 0: the plan sets none


def hours(trainee: Trainee, year: int) -> dict:
    rule = tr.required_hours(trainee.post, trainee.sector)
    lines = trainee.attendance.select_related("session__course")
    initial = sum((a.hours for a in lines if a.session.course.kind == "initial"), Decimal(0))
    refresher = sum((a.hours for a in lines if a.session.course.kind in ("refresher", "review")
                     and a.session.starts_on.year == year), Decimal(0))
    return {"rule": rule, "initial": initial, "refresher": refresher,
            "initial_ok": rule.initial is None or initial >= rule.initial,
            "refresher_ok": rule.refresher is None or refresher >= rule.refresher}


def certificate_state(cert: Certificate, today: dt.date | None = None) -> tuple[str, str]:
    return tr.certificate_state(cert.expires_on, cert.review_due_on, today or timezone.localdate(), cert.revoked)


def certificates(user, today: dt.date | None = None, only_attention: bool = False) -> list[dict]:
    today = today or timezone.localdate()
    rows = []
    certs = scope.visible(Certificate.objects.select_related("trainee"), user)
    if only_attention:  # in the database, the certificates the rule can mark other than 有效 (the home panel's count)
        soon = today + dt.timedelta(days=tr.RENEWAL_WINDOW_DAYS)
        certs = certs.filter(Q(revoked=True) | Q(expires_on__lte=soon) | Q(review_due_on__lte=soon))
    for cert in certs.order_by("expires_on"):
        state, label = certificate_state(cert, today)
        if only_attention and state == "valid":
            continue
        rows.append({"cert": cert, "state": state, "label": label})
    return rows


def key_posts(user, enterprise_id=None, today: dt.date | None = None) -> list[dict]:
    """Every key-post trainee (of one enterprise, or of all visible ones) with the state of the
    certificate the post needs."""
    today = today or timezone.localdate()
    trainees = scope.visible(Trainee.objects.filter(post__in=tr.KEY_POSTS, enterprise__isnull=False), user)
    if enterprise_id:
        trainees = trainees.filter(enterprise_id=enterprise_id)
    rows = []
    for trainee in trainees.select_related("enterprise").prefetch_related("certificates").order_by("enterprise__name", "post"):
        needed = POST_CERTIFICATE[trainee.post]
        best = None
        for cert in trainee.certificates.all():
            if cert.kind == needed and (best is None or cert.expires_on > best.expires_on):
                best = cert
        state, label = certificate_state(best, today) if best else ("missing", "未取证")
        rows.append({"trainee": trainee, "enterprise": trainee.enterprise, "post": tr.POSTS[trainee.post],
                     "cert": best, "state": state, "label": label,
                     "ok": state in ("valid", "renew")})
    return rows


def yearly_figures(user, year: int) -> dict:
    """Person-times trained (attendance lines) and examined (attempts) in ``year``, by county and
    sector, against the yearly target."""
    if not 1900 <= year <= 2100:
        raise ValidationFailed(f"年份无效：{year}", fields={"year": ["1900–2100"]})
    attendance = scope.visible(Attendance.objects.filter(session__starts_on__year=year), user).select_related("trainee")
    attempts = scope.visible(ExamAttempt.objects.filter(started_at__year=year), user).select_related("trainee")
    by_county, by_sector = Counter(), Counter()
    for row in list(attendance) + list(attempts):
        by_county[row.trainee.division_code[:6]] += 1
        by_sector[row.trainee.sector] += 1
    trained, examined = attendance.count(), attempts.count()
    passed = attempts.filter(passed=True).count()
    total = trained + examined
    target = yearly_target()
    return {"year": year, "trained": trained, "examined": examined, "passed": passed, "total": total,
            "target": target, "percent": round(total * 100 / target, 1) if target else 0,
            "target_source": installation.current().training_target_source,
            "hours": attendance.aggregate(s=Sum("hours"))["s"] or Decimal(0),
            "by_county": sorted(((name_of(code.ljust(12, "0")), n) for code, n in by_county.items()), key=lambda r: -r[1]),
            "by_sector": sorted(((tr.SECTORS.get(code, code), n) for code, n in by_sector.items()), key=lambda r: -r[1])}


def open_sessions(user, now: dt.datetime | None = None):
    now = now or timezone.now()
    return scope.visible(ExamSession.objects.filter(opens_at__lte=now, closes_at__gte=now), user).order_by("closes_at")
