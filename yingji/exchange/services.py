"""Exchange services: issuing a child's credential (parent), configuring the parent link
(child), receiving a signed batch (both ends, over HTTP or from a file), the child's delivery
round (``sync``) with back-off, and export/import of the same envelopes as files."""

from __future__ import annotations

import datetime as dt
import json
import logging

import requests
from django.conf import settings

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from pydantic import ValidationError as PydanticError

from yingji.core import capabilities, records, scope
from yingji.core.errors import Forbidden, NotAuthenticated, NotFound, ValidationFailed
from yingji.core.links import api_url  # the parent runs the same platform: the same API path
from yingji.core.records import SYSTEM
from yingji.geo import divcodes
from yingji.regions.services import full_name
from yingji.core.records import audited_transaction

from . import outbox, signing
from .kinds import DOWN, KINDS, UP
from .models import ChildLink, InboxMessage, Instruction, OutboxMessage, ParentLink, ReceivedRecord
from .schemas import BODY_SCHEMAS, MessageV1

log = logging.getLogger(__name__)
BATCH = 100  # messages per request or answer
MAX_ROUNDS = 50  # requests per delivery round (5,000 messages); the next round goes on
TIMEOUT_S = (5, 30)
BACKOFF_BASE_S = 5


class ExchangeUnavailable(Exception):
    """The parent could not be reached or refused the batch (the message says why, in Chinese)."""


# ----- configuration ---------------------------------------------------------------------------


def issue_child(user, name: str, division_code: str) -> tuple[ChildLink, str]:
    """Parent: register a child installation of ``division_code`` (inside the user's region,
    below it) and issue its credential. The credential is shown once."""
    capabilities.require(user, "exchange.manage")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写下级平台名称", fields={"name": ["必填"]})
    try:
        code = divcodes.normalise(division_code)
    except divcodes.DivisionCodeError as exc:
        raise ValidationFailed(str(exc), fields={"division_code": [str(exc)]}) from exc
    if code == divcodes.normalise(user.region_code) or not divcodes.is_within(code, user.region_code):
        raise Forbidden("下级平台的行政区划须在您的管辖范围内且低于本级", fields={"division_code": ["不在管辖范围内"]})
    if ChildLink.objects.filter(division_code=code, active=True).exists():
        raise ValidationFailed(f"{full_name(code)}已有启用的下级平台，请先停用原凭据", fields={"division_code": ["已存在"]})
    key_id, secret, credential = signing.new_credential()
    link = records.create_record(user, ChildLink, {"name": name, "division_code": code},
                                 server={"key_id": key_id, "secret": secret}, note="签发下级平台凭据")
    return link, credential


def set_child_active(user, link: ChildLink, active: bool) -> ChildLink:
    capabilities.require(user, "exchange.manage")
    scope.check_can_see(link, user)
    return records.change(user, link, active=active, note="启用下级平台凭据" if active else "停用下级平台凭据")


def configure_parent(user, name: str, url: str, credential: str) -> ParentLink:
    """Child: report to the parent at ``url`` with the credential it issued (replaces the
    previous parent link; its unsent messages stay queued for the new one)."""
    capabilities.require(user, "exchange.manage")
    try:
        key_id, secret = signing.parse_credential(credential)
    except signing.CredentialError as exc:
        raise ValidationFailed(str(exc), fields={"credential": [str(exc)]}) from exc
    url = (url or "").strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ValidationFailed("上级平台地址须以 http:// 或 https:// 开头", fields={"url": ["地址格式不正确"]})
    with audited_transaction():
        for old in ParentLink.objects.filter(active=True):
            records.change(user, old, active=False, note="更换上级平台")
        return records.create_record(user, ParentLink, {"name": (name or "上级平台").strip(), "url": url,
                                                         "division_code": user.region_code},
                                     server={"key_id": key_id, "secret": secret}, note="配置上级平台")


def issue_instruction(user, division_code: str, leader: str, text: str, about: ReceivedRecord | None = None):
    capabilities.require(user, "exchange.manage")
    data = {"division_code": division_code, "leader": leader, "text": text}
    if about is not None:
        scope.check_can_see(about, user)
        data["about"] = about
    return records.create_record(user, Instruction, data, note="领导批示")


# ----- receiving -------------------------------------------------------------------------------


def _parse_messages(raw_messages) -> list[MessageV1]:
    if not isinstance(raw_messages, list):
        raise ValidationFailed("报文格式不正确：messages 应为列表", code="bad_envelope")
    try:
        return [MessageV1.model_validate(m) for m in raw_messages]
    except PydanticError as exc:
        raise ValidationFailed(f"报文格式不正确：{exc.errors()[0].get('msg', '')}", code="bad_envelope") from exc


def _apply_one(msg: MessageV1, direction: str, child: ChildLink | None, scope_code: str, via: str,
               source_name: str) -> None:
    kind = KINDS.get(msg.kind)
    outcome, error = "applied", ""
    body_schema = BODY_SCHEMAS.get(msg.schema_)
    if kind is None or body_schema is None or msg.schema_ != kind.schema or direction not in kind.directions:
        outcome, error = "failed", f"不支持的报文类型或格式版本：{msg.schema_}"
    elif direction == UP and not divcodes.is_within(msg.division_code, scope_code):
        outcome, error = "failed", f"记录所属区划 {msg.division_code} 不在发送方辖区内，未接收"
    else:
        try:
            body = {} if msg.deleted else body_schema.model_validate(msg.body).model_dump(mode="json")
        except PydanticError as exc:
            body, outcome, error = None, "failed", f"报文内容不符合 {msg.schema_}：{exc.errors()[0].get('msg', '')}"
        if body is not None:
            current = ReceivedRecord.objects.select_for_update().filter(record_key=msg.record).first()
            if current is not None and current.seq >= msg.seq:
                outcome = "stale"
            else:
                try:
                    with audited_transaction():
                        _keep(current, msg, body, direction, child, kind, source_name, scope_code)
                except Exception as exc:  # noqa: BLE001 - recorded on the inbox row, shown at the console
                    log.exception("exchange: applying %s failed", msg.id)
                    outcome, error = "failed", f"处理失败：{exc}"[:300]
    InboxMessage.objects.create(message_id=msg.id, direction=direction, child=child, origin_code=msg.origin,
                                kind=msg.kind, record_key=msg.record[:80], seq=msg.seq, outcome=outcome,
                                error=error[:300], via=via)


def _keep(current, msg: MessageV1, body: dict, direction, child, kind, source_name, scope_code: str) -> None:
    """Keep the latest state. An upward record is filed under its own division (the parent's
    users of that county see it); a downward one under the receiving installation's division."""
    now = timezone.now()
    division = msg.division_code if direction == UP else scope_code
    with outbox.applying():
        if current is None:
            current = records.create_record(SYSTEM, ReceivedRecord, {
                "direction": direction, "child": child, "origin_code": msg.origin, "kind": msg.kind,
                "schema": msg.schema_, "record_key": msg.record, "seq": msg.seq, "title": msg.title[:200] or msg.record,
                "body": body, "deleted": msg.deleted, "received_at": now, "division_code": division,
                "is_synthetic": bool(body.get("is_synthetic"))}, note=f"收到{kind.label}")
        else:
            records.change(SYSTEM, current, note=f"收到{kind.label}（第 {msg.seq} 版）", seq=msg.seq,
                           schema=msg.schema_, title=msg.title[:200] or current.title, body=body or current.body,
                           deleted=msg.deleted, received_at=now)
        if kind.apply is not None and not msg.deleted:
            kind.apply(current, body, source_name)


def apply_messages(raw_messages, direction: str, *, child: ChildLink | None, scope_code: str, via: str,
                   source_name: str) -> tuple[list[str], int]:
    """Store and apply a batch in one transaction; returns the ids now stored (new or already
    received: a retried delivery is recognised by its id and not applied twice) and how many
    were new. Messages of one
    record apply in ``seq`` order: an older version arriving after a newer one is kept as stale."""
    messages = sorted(_parse_messages(raw_messages), key=lambda m: (m.record, m.seq))
    accepted, new = [], 0
    with audited_transaction():
        known = set(str(i) for i in InboxMessage.objects.filter(message_id__in=[m.id for m in messages])
                    .values_list("message_id", flat=True))
        for msg in messages:
            if msg.id not in known:
                _apply_one(msg, direction, child, scope_code, via, source_name)
                known.add(msg.id)
                new += 1
            accepted.append(msg.id)
    return accepted, new


def _child_for(envelope: dict) -> ChildLink:
    key_id = (envelope.get("batch") or {}).get("key_id") if isinstance(envelope, dict) else None
    link = ChildLink.objects.filter(key_id=str(key_id or "")[:40], active=True).first()
    if link is None:
        raise NotAuthenticated("凭据无效或已停用：请向上级平台重新申请凭据", code="unknown_credential")
    return link


def _note_child_error(link: ChildLink, message: str) -> None:
    ChildLink.objects.filter(pk=link.pk).update(last_error=message[:300], last_error_at=timezone.now())


def receive_from_child(envelope: dict, via: str = "link") -> dict:
    """Parent: verify a child's envelope, store its messages and acknowledgements, and answer
    with a signed envelope: what was accepted and the next downward messages for that child."""
    link = _child_for(envelope)
    try:
        batch = signing.verify(envelope, link.secret, UP)
    except signing.SignatureError as exc:
        _note_child_error(link, str(exc))
        raise Forbidden(str(exc), code="bad_signature") from exc
    if batch.get("sender") != link.division_code:
        _note_child_error(link, f"发送方区划 {batch.get('sender')} 与凭据不符")
        raise Forbidden("发送方区划与凭据不符", code="wrong_sender")
    try:
        accepted, new = apply_messages(batch.get("messages", []), UP, child=link, scope_code=link.division_code, via=via,
                                  source_name=link.name)
    except ValidationFailed as exc:
        _note_child_error(link, exc.message)
        raise
    acks = [str(a) for a in batch.get("acks", []) if isinstance(a, str)]
    with audited_transaction():
        if acks:
            outbox.mark_sent(DOWN, acks, via, link)
        fresh = records.lock(link, ChildLink.objects)
        fresh.last_contact_at = timezone.now()
        fresh.child_pending = max(0, int(batch.get("pending") or 0))
        fresh.received_count += new
        fresh.last_error = ""
        fresh.save(update_fields=["last_contact_at", "child_pending", "received_count", "last_error", "updated_at"])
        rows = list(outbox.pending(DOWN, link).order_by("pk")[:BATCH]) if via == "link" else []
        down = outbox.seal(rows)
    remaining = outbox.pending(DOWN, link).count() - len(down)
    answer = outbox.batch(DOWN, link.key_id, outbox.parent_origin(link), down, pending_after=remaining,
                          accepted=accepted)
    return signing.sign(answer, link.secret)


# ----- the child's delivery round --------------------------------------------------------------


def backoff_seconds(failures: int) -> float:
    """5 s, 10 s, 20 s ... doubling after each consecutive failure, at most the configured cap."""
    return min(BACKOFF_BASE_S * 2 ** max(failures - 1, 0), settings.YINGJI_EXCHANGE_MAX_BACKOFF_SECONDS)


def _fail(link: ParentLink, message: str) -> None:
    failures = link.failures + 1
    ParentLink.objects.filter(pk=link.pk).update(
        failures=failures, last_error=message[:300], last_attempt_at=timezone.now(),
        next_attempt_at=timezone.now() + dt.timedelta(seconds=backoff_seconds(failures)))


def _post(link: ParentLink, envelope: dict) -> dict:
    try:
        answer = requests.post(link.url + api_url("exchange/sync"), data=signing.canonical(envelope),
                               headers={"Content-Type": "application/json"}, timeout=TIMEOUT_S)
    except requests.RequestException as exc:
        raise ExchangeUnavailable(f"无法连接上级平台：{type(exc).__name__}") from exc
    try:
        body = answer.json()
    except ValueError:
        body = {}
    if answer.status_code != 200:
        message = (body.get("error") or {}).get("message") if isinstance(body, dict) else None
        raise ExchangeUnavailable(f"上级平台拒收（HTTP {answer.status_code}）：{message or '无说明'}")
    try:
        return signing.verify(body, link.secret, DOWN)
    except signing.SignatureError as exc:
        raise ExchangeUnavailable(f"上级平台的答复未通过签名校验：{exc}") from exc


def sync(link: ParentLink | None = None) -> dict:
    """Child: deliver the pending upward messages in order and fetch the downward ones, in
    rounds until both queues are empty. Raises ExchangeUnavailable (recorded on the link, with
    the next attempt backed off) when the parent cannot be reached or refuses."""
    link = link or outbox.active_parent()
    if link is None:
        return {"sent": 0, "received": 0}
    sent = received = 0
    acks: list[str] = []
    try:
        for _ in range(MAX_ROUNDS):
            with transaction.atomic():
                rows = list(outbox.pending(UP).select_for_update().order_by("pk")[:BATCH])
                messages = outbox.seal(rows)
                OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(attempts=F("attempts") + 1)
            remaining = outbox.pending(UP).count() - len(messages)
            envelope = signing.sign(outbox.batch(UP, link.key_id, link.division_code, messages,
                                                 pending_after=remaining, acks=acks), link.secret)
            answer = _post(link, envelope)
            sent += outbox.mark_sent(UP, [str(a) for a in answer.get("accepted", [])], "link")
            down = answer.get("messages", [])
            acks = apply_messages(down, DOWN, child=None, scope_code=link.division_code, via="link",
                                  source_name=link.name)[0] if down else []
            received += len(down)
            if not messages and not down:
                break
    except (ExchangeUnavailable, ValidationFailed) as exc:
        message = str(exc) if isinstance(exc, ExchangeUnavailable) else exc.message
        _fail(link, message)
        OutboxMessage.objects.filter(direction=UP, sent_at__isnull=True, sealed_at__isnull=False).update(
            last_error=message[:300])
        raise ExchangeUnavailable(message) from exc
    now = timezone.now()
    ParentLink.objects.filter(pk=link.pk).update(failures=0, last_error="", last_contact_at=now, last_attempt_at=now,
                                                 next_attempt_at=now)
    return {"sent": sent, "received": received}


def tick() -> None:
    """Periodic (child): queue a delivery round when the link is due (polls for downward
    messages too; after failures the back-off decides when)."""
    outbox.request_sync()


def sync_now(user) -> None:
    """The console's and API's 立即同步: queue a round now, ignoring the back-off."""
    capabilities.require(user, "exchange.manage")
    link = outbox.active_parent()
    if link is None:
        raise NotFound("尚未配置上级平台")
    ParentLink.objects.filter(pk=link.pk).update(next_attempt_at=timezone.now())
    outbox.request_sync()


# ----- files -----------------------------------------------------------------------------------


def export_envelope(child: ChildLink | None = None) -> tuple[dict, int]:
    """The pending messages as one signed envelope for a file (a child's upward ones, or a
    parent's downward ones for ``child``); they count as delivered by file from now on (a later
    delivery of the same message over a link is recognised and not applied twice)."""
    with transaction.atomic():
        if child is None:
            link = outbox.active_parent()
            if link is None:
                raise NotFound("尚未配置上级平台，无法导出上报文件")
            rows = list(outbox.pending(UP).select_for_update().order_by("pk"))
            batch = outbox.batch(UP, link.key_id, link.division_code, outbox.seal(rows))
            secret = link.secret
            direction = UP
        else:
            rows = list(outbox.pending(DOWN, child).select_for_update().order_by("pk"))
            batch = outbox.batch(DOWN, child.key_id, outbox.parent_origin(child), outbox.seal(rows))
            secret = child.secret
            direction = DOWN
        outbox.mark_sent(direction, [m["id"] for m in batch["messages"]], "file", child)
    return signing.sign(batch, secret), len(rows)


def import_envelope(envelope: dict) -> dict:
    """A file from the other side: an upward envelope at a parent (from one of its children),
    a downward one at a child (from its parent). Verified like a delivery over the link."""
    batch = envelope.get("batch") if isinstance(envelope, dict) else None
    if not isinstance(batch, dict):
        raise ValidationFailed("文件不是上下级平台交换报文（缺少 batch）", code="bad_envelope")
    if batch.get("direction") == UP:
        answer = receive_from_child(envelope, via="file")
        return {"direction": UP, "accepted": len(answer["batch"]["accepted"])}
    link = ParentLink.objects.filter(key_id=str(batch.get("key_id", ""))[:40]).order_by("-active", "-pk").first()
    if link is None:
        raise NotAuthenticated("本平台没有与该文件凭据对应的上级平台", code="unknown_credential")
    try:
        verified = signing.verify(envelope, link.secret, DOWN)
    except signing.SignatureError as exc:
        raise Forbidden(str(exc), code="bad_signature") from exc
    accepted, _ = apply_messages(verified.get("messages", []), DOWN, child=None, scope_code=link.division_code,
                                 via="file", source_name=link.name)
    return {"direction": DOWN, "accepted": len(accepted)}


def read_envelope(text: str) -> dict:
    try:
        envelope = json.loads(text)
    except ValueError as exc:
        raise ValidationFailed(f"文件不是有效的 JSON：{exc}", code="bad_envelope") from exc
    if not isinstance(envelope, dict):
        raise ValidationFailed("文件不是上下级平台交换报文", code="bad_envelope")
    return envelope
