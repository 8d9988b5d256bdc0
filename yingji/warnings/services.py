"""Writes for warnings: drafting, the approval workflow, publishing, and update / upgrade /
downgrade / lift of a published warning. Every write checks scope and is audited."""

from __future__ import annotations

from django.utils import timezone

from yingji.audit.services import history_of
from yingji.cap import InvalidWarningError, make_identifier
from yingji.core import capabilities, records, scope
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.core.records import create_record, update_record
from yingji.geo import divcodes
from yingji.live.services import publish as live_publish
from yingji.regions.services import check_division_exists, county_at
from yingji.rules import warning_workflow as wf
from yingji.rules.statemachine import TransitionError
from yingji.core.records import audited_transaction

from . import bulk, capdoc
from .dissemination import cancel_pending
from .models import CHANNEL_KEYS, Warning, WarningAction

EDITABLE_FIELDS = [
    "event_type", "event", "level", "cap_category", "urgency", "certainty", "headline", "area_desc", "area_codes",
    "area_polygon", "circle_lon", "circle_lat", "circle_radius_km", "effective", "onset", "expires", "description",
    "instruction", "sender_name", "sender_code", "contact", "cap_status", "channels", "audiences", "sms_text",
]


def get_warning(user, pk) -> Warning:
    return scope.get_visible(Warning.objects.select_related("supersedes", "created_by"), pk, user, "预警")


def _normalise_area(data: dict) -> dict:
    data = dict(data)
    if "area_codes" in data:
        codes = data["area_codes"] or []
        if isinstance(codes, str):
            codes = [c for c in codes.replace("，", ",").replace(" ", ",").split(",") if c]
        try:
            data["area_codes"] = sorted({divcodes.normalise(c) for c in codes})
        except divcodes.DivisionCodeError as exc:
            raise ValidationFailed(str(exc), fields={"area_codes": [str(exc)]}) from exc
    polygon = data.get("area_polygon")
    if polygon in ("", []):
        data["area_polygon"] = None
    elif polygon is not None:
        try:
            data["area_polygon"] = [[round(float(lon), 6), round(float(lat), 6)] for lon, lat in polygon]
        except (TypeError, ValueError) as exc:
            raise ValidationFailed("多边形格式应为 [[经度, 纬度], ...]", fields={"area_polygon": ["格式不正确"]}) from exc
        if len({tuple(p) for p in data["area_polygon"]}) < 3:
            raise ValidationFailed("多边形至少需要 3 个不同的顶点", fields={"area_polygon": ["至少 3 个顶点"]})
    for key in ("channels", "audiences"):
        if key in data and isinstance(data[key], str):
            data[key] = [v for v in data[key].split(",") if v]
    return data


def _check_area_in_scope(user, warning: Warning) -> None:
    """A bureau warns only inside its own jurisdiction."""
    for code in warning.area_codes or []:
        check_division_exists(code)
        if not divcodes.is_within(code, user.region_code):
            raise Forbidden(f"影响区划 {divcodes.short_code(code)} 不在您的管辖范围内")
    points = list(warning.area_polygon or [])
    if warning.circle_radius_km:
        if warning.circle_lon is None or warning.circle_lat is None:
            raise ValidationFailed("圆形影响范围需要圆心的经度和纬度",
                                   fields={"circle_lon": ["必填"], "circle_lat": ["必填"]})
        points.append([warning.circle_lon, warning.circle_lat])
    if points:
        lon = sum(p[0] for p in points) / len(points)
        lat = sum(p[1] for p in points) / len(points)
        county = county_at(lon, lat)
        if county is None or not divcodes.is_within(county, user.region_code) and not divcodes.is_within(user.region_code, county):
            raise Forbidden("绘制的影响范围不在您的管辖范围内")


def create_warning(user, data: dict, *, supersedes: Warning | None = None, kind: str = "alert") -> Warning:
    scope.check_can_create(Warning, user)
    data = _normalise_area({k: v for k, v in data.items() if k in EDITABLE_FIELDS or k in ("division_code", "is_synthetic")})
    data.setdefault("division_code", user.region_code)
    data.setdefault("sender_code", capdoc.default_sender_code(data["division_code"]))
    data.setdefault("channels", list(CHANNEL_KEYS))
    data["kind"] = kind
    if supersedes is not None:
        data["supersedes_id"] = supersedes.pk
    probe = Warning(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    _check_area_in_scope(user, probe)
    return create_record(user, Warning, data)


def update_warning(user, warning: Warning, data: dict, expected_version=None) -> Warning:
    if warning.state not in wf.EDITABLE_STATES:
        raise Conflict(f"预警当前状态为“{warning.state_label}”，只有草稿或已退回的预警可以修改")
    data = _normalise_area({k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    merged = Warning(**{f: getattr(warning, f) for f in EDITABLE_FIELDS})
    for key, value in data.items():
        setattr(merged, key, value)
    _check_area_in_scope(user, merged)
    _check_derived_level(warning.kind, warning.supersedes, data.get("level", warning.level))
    return update_record(user, warning, data, expected_version=expected_version)


def _check_derived_level(kind, original, level) -> None:
    if original is None:
        return
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise ValidationFailed("预警级别应为 1–4 的整数", fields={"level": ["必填，1–4 的整数"]}) from None
    problem = wf.derived_level_problem(kind, original.level, level)
    if problem:
        raise ValidationFailed(problem, fields={"level": [problem]})


def derive_warning(user, original: Warning, kind: str, changes: dict | None = None) -> Warning:
    """A new draft that updates / upgrades / downgrades / lifts a published warning."""
    scope.check_can_see(original, user)
    if kind not in wf.DERIVED_KINDS:
        raise ValidationFailed(f"未知的变更类型：{kind}", fields={"kind": ["应为 update/upgrade/downgrade/lift"]})
    if original.state != wf.PUBLISHED:
        raise Conflict(f"只能对已发布且有效的预警进行{wf.DERIVED_KINDS[kind][0]}（当前：{original.state_label}）")
    if original.kind == "lift":
        raise Conflict("解除消息本身不能再被更新或解除")
    data = {f: getattr(original, f) for f in EDITABLE_FIELDS}
    data.update({"division_code": original.division_code, "headline": "", "sms_text": "", "is_synthetic": original.is_synthetic})
    if kind == "lift":
        data["description"] = f"{original.sender_name}解除{original.event}{original.get_level_display()[:2]}预警。"
        data["instruction"] = ""
    data.update(changes or {})
    _check_derived_level(kind, original, data["level"])
    return create_warning(user, data, supersedes=original, kind=kind)


# --- the workflow ------------------------------------------------------------------------------


def available_actions(user, warning: Warning) -> list:
    """The actions the server would accept from this user now (the console offers only these);
    a return still needs its comment, which the form asks for."""
    if not any(capabilities.has(user, c) for c in ("warnings.draft", "warnings.review", "warnings.sign", "warnings.publish")):
        return []
    context = _context(user, warning, "（待填写）")
    allowed = []
    for move in wf.WORKFLOW.allowed_actions(warning.state, [user.role]):
        if move.action not in wf.HUMAN_ACTIONS:
            continue
        try:
            wf.WORKFLOW.check(move.action, warning.state, [user.role], context)
        except TransitionError:
            continue
        allowed.append(move)
    return allowed


def content_editors(warning: Warning) -> set[int]:
    """Everyone who wrote or changed the warning's content (from its audit trail)."""
    return set(history_of(warning).filter(action__in=("create", "update"), actor__isnull=False)
               .values_list("actor_id", flat=True))


def _context(user, warning: Warning, comment: str) -> dict:
    return {"actor": user.pk, "drafter": warning.created_by_id, "reviewer": warning.reviewer_id,
            "editors": content_editors(warning), "comment": comment}


def transition(user, warning: Warning, action: str, comment: str = "") -> Warning:
    """Apply one workflow action; publishing builds and validates the CAP message and queues
    the deliveries in the same transaction (nothing is written if any step fails)."""
    scope.check_can_see(warning, user)
    if action not in wf.HUMAN_ACTIONS:
        raise ValidationFailed(f"未知操作：{action}", fields={"action": ["未知操作"]})
    if not divcodes.is_within(warning.division_code, user.region_code):
        raise Forbidden(f"“{warning}”不在您的管辖范围内，不能{action}")
    now = timezone.now().replace(microsecond=0)

    def apply(current: Warning, move, source: str) -> None:
        if action == "approve":
            current.reviewer, current.reviewed_at = user, now
        elif action == "sign":
            current.signer, current.signed_at = user, now
        elif action == "submit":
            _check_submittable(current)
        elif action in ("return_review", "return_sign"):
            current.reviewer, current.reviewed_at, current.signer, current.signed_at = None, None, None, None
        if action == "publish":
            _publish(user, current, now)
        _log(current, action, move.label, source, user, comment)

    return records.transition(user, warning, wf.WORKFLOW, action, apply=apply, errors=_workflow_error,
                              note=f"{wf.WORKFLOW.transitions[action].label}" + (f"：{comment}" if comment else ""),
                              context=lambda current: _context(user, current, comment))


def _workflow_error(exc: TransitionError):
    return (Conflict if exc.code == "illegal_transition" else Forbidden)(exc.message, code=exc.code)


def _check_submittable(warning: Warning) -> None:
    problems = capdoc.problems_of(warning, timezone.now())
    if problems:
        raise ValidationFailed("预警内容不完整，不能提交：" + "；".join(problems), fields={"__all__": problems})


def _log(warning, action, label, from_state, user, comment) -> None:
    WarningAction.objects.create(warning=warning, action=action, label=label, from_state=from_state,
                                 to_state=warning.state, actor=user if getattr(user, "pk", None) else None,
                                 actor_name=user.display_name() if getattr(user, "pk", None) else "系统", comment=comment)


def _next_seq(sender_code: str, sent) -> int:
    taken = set(Warning.objects.filter(sender_code=sender_code, sent=sent).values_list("seq", flat=True))
    free = [n for n in range(10) if n not in taken]
    if not free:
        raise Conflict("同一发布单位同一秒内已发布 10 条预警，请稍后再发布")
    return free[0]


def _publish(user, warning: Warning, now) -> None:
    original = warning.supersedes
    if original is not None:
        original = records.lock(original, Warning.objects)
        if original.state != wf.PUBLISHED:
            raise Conflict(f"原预警“{original}”已{original.state_label}，不能再{warning.get_kind_display()}")
    warning.seq = _next_seq(warning.sender_code, now)
    try:
        xml = capdoc.build_for(warning, now)
    except InvalidWarningError as exc:
        raise ValidationFailed("不能发布：" + "；".join(exc.problems), fields={"__all__": exc.problems}) from exc
    warning.sent = now
    warning.publisher = user
    warning.cap_xml = xml.decode("utf-8")
    code = warning.sender_code
    warning.identifier = make_identifier(code[:6], code[6:9], now, warning.seq, code[9:12], code[12:14])
    if original is not None:
        _end_original(user, original, "lift" if warning.kind == "lift" else "supersede", now, warning)
    warning.save()
    bulk.start(warning, now)
    live_publish("warnings", "published", {"id": warning.pk, "title": warning.title, "level": warning.level,
                                           "kind": warning.kind, "sound": warning.level <= 2}, warning.division_code)


def _end_original(user, original: Warning, action: str, now, successor: Warning) -> None:
    notes = []

    def apply(row: Warning, move, source: str) -> None:
        cancelled = cancel_pending(row)
        notes.append(f"由“{successor.get_kind_display()}”消息{move.label}，未发送的 {cancelled} 条投递已取消")
        _log(row, action, move.label, source, user, notes[0])

    records.transition(user, original, wf.WORKFLOW, action, roles=["system"], ended_at=now, apply=apply,
                       note=lambda row, move, source: notes[0])


def stop_deliveries(user, warning: Warning, comment: str = "") -> int:
    """Stop what is not yet sent (e.g. a message published in error); audited."""
    scope.check_can_see(warning, user)
    scope.check_can_write(Warning, user, warning.division_code)
    with audited_transaction():
        bulk.stop(warning)
        count = cancel_pending(warning)
        _log(warning, "stop", "停止发送", warning.state, user, comment or f"取消未发送的 {count} 条投递")
        records.note_event(user, warning, f"停止发送：取消未发送的 {count} 条投递" + (f"（{comment}）" if comment else ""))
    return count
