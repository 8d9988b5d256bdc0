"""Reports from the public (portal, no login): a hidden hazard or an emergency clue with an
optional photo, position and phone number. They land in the duty room's queue.

Spam resistance without an external captcha: a honeypot field people never see, a signed form
timestamp (the form must have been served by us, at least MIN_FILL_SECONDS and at most
MAX_FORM_AGE ago), and a rate limit per sender (a keyed hash of the address, never the address
itself) counted in the database so every web process shares it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.core import signing

from django.utils import timezone

from yingji.core import capabilities, records, scope
from yingji.core.errors import Conflict, ServiceError, ValidationFailed
from yingji.live.services import publish
from yingji.regions.services import county_at
from yingji.resources.models import PHONE
from yingji.core.records import audited_transaction

from .models import PublicReport
from .photos import check_image

FORM_SALT = "yingji.portal.report"
MIN_FILL_SECONDS = 3
MAX_FORM_AGE = 2 * 3600
RATE_LIMIT = 3  # reports per sender
RATE_WINDOW = dt.timedelta(hours=1)
MAX_DESCRIPTION = 2000


class TooManyRequests(ServiceError):
    status = 429
    code = "rate_limited"


def form_token() -> str:
    return signing.TimestampSigner(salt=FORM_SALT).sign("report")


def fingerprint(address: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"portal:{address}".encode(), hashlib.sha256).hexdigest()


def _check_token(token: str) -> None:
    signer = signing.TimestampSigner(salt=FORM_SALT)
    try:
        signer.unsign(token or "", max_age=MAX_FORM_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationFailed("表单已过期，请刷新页面后重新填写", code="form_expired", fields={"token": ["已过期"]}) from exc
    except signing.BadSignature as exc:
        raise ValidationFailed("表单无效，请刷新页面后重新填写", code="form_invalid", fields={"token": ["无效"]}) from exc
    issued = signing.b62_decode(token.split(":")[1])
    if timezone.now().timestamp() - issued < MIN_FILL_SECONDS:
        raise ValidationFailed("提交过快，请确认内容后再提交", code="too_fast", fields={"token": ["提交过快"]})


def submit(data: dict, photo, address: str) -> PublicReport:
    if (data.get("website") or "").strip():  # the honeypot: hidden from people, filled by robots
        raise ValidationFailed("提交未被接受", code="spam", fields={"website": ["异常"]})
    _check_token(data.get("token", ""))
    errors: dict[str, list[str]] = {}
    kind = data.get("kind", "")
    if kind not in dict(PublicReport.KINDS):
        errors["kind"] = ["请选择报告类型"]
    description = (data.get("description") or "").strip()
    if len(description) < 5:
        errors["description"] = ["请描述看到的情况（至少 5 个字）"]
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = [f"情况描述不超过 {MAX_DESCRIPTION} 字"]
    phone = (data.get("phone") or "").strip().replace(" ", "")
    if phone and not PHONE.match(phone):
        errors["phone"] = ["电话号码格式不正确（11 位手机号或带区号的固定电话），也可不填"]
    lon, lat, division = None, None, ""
    if data.get("lon") or data.get("lat"):
        try:
            lon, lat = float(data["lon"]), float(data["lat"])
        except (KeyError, TypeError, ValueError):
            errors["lon"] = ["位置无效"]
        else:
            division = county_at(lon, lat) or ""
            if not division.startswith(settings.YINGJI_PROFILE_CITY[:4]):
                errors["lon"] = ["位置不在本市范围内，请在地图上重新选择或不填位置"]
    address_text = (data.get("address") or "").strip()[:200]
    if lon is None and not address_text and "lon" not in errors:
        errors["address"] = ["请填写地点，或允许获取当前位置"]
    if errors:
        raise ValidationFailed("报告未提交：" + "；".join(v[0] for v in errors.values()), fields=errors)
    if photo is not None:
        ext, _content_type = check_image(photo)
        photo.name = f"photo.{ext}"
    sender = fingerprint(address)
    with audited_transaction():
        recent = PublicReport.objects.filter(fingerprint=sender, received_at__gte=timezone.now() - RATE_WINDOW).count()
        if recent >= RATE_LIMIT:
            raise TooManyRequests(f"同一来源一小时内最多提交 {RATE_LIMIT} 次报告，请稍后再试；紧急情况请直接拨打 119、110 或 120")
        report = records.create_record(records.SYSTEM, PublicReport, {
            "kind": kind, "description": description, "address": address_text, "phone": phone, "photo": photo or "",
            "lon": lon, "lat": lat, "division_code": division or settings.YINGJI_PROFILE_CITY.ljust(12, "0")},
            server={"fingerprint": sender, "received_at": timezone.now()}, note="公众门户报告")
    publish("incidents", "public_report", {"text": f"收到群众报告：{report.get_kind_display()}", "sound": True,
                                            "report": report.pk}, report.division_code)
    return report


def get_report(user, pk) -> PublicReport:
    return scope.get_visible(PublicReport.objects.all(), pk, user, "群众报告")


def handle(user, report: PublicReport, state: str, note: str = "") -> PublicReport:
    capabilities.require(user, "social.reports.handle")
    scope.check_can_see(report, user)
    if state not in ("accepted", "referred", "dismissed"):
        raise ValidationFailed("处理结果须为受理、转办或不予受理", fields={"state": ["无效"]})
    if report.state != "new":
        raise Conflict(f"该报告已处理（{report.get_state_display()}）")
    if state in ("referred", "dismissed") and not (note or "").strip():
        raise ValidationFailed("转办或不予受理须写明理由", fields={"note": ["必填"]})
    return records.change(user, report, audit_action="transition", note=dict(PublicReport.STATES)[state],
                          state=state, handling_note=(note or "").strip()[:300], handled_at=timezone.now(),
                          handler_name=getattr(user, "full_name", "") or user.get_username())
