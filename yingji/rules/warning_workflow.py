"""Approval workflow of a public warning (预警信息发布审批): draft → review (审核) →
sign-off (签发) → publish (发布).

Role separation (四眼原则, made a guard, not a convention):

* the reviewer may not be the drafter, nor anyone who changed the content (no one approves
  what they wrote, also after editing someone else's draft or a returned warning);
* the signer may be neither the drafter, an editor, nor the reviewer (three different people);
* returning a warning (退回) needs a comment saying what to change.

Once published, a warning is changed only by issuing a new warning that references it
(update / upgrade / downgrade / lift, CAP ``Update`` / ``Cancel``); publishing that new warning
moves the original to ``superseded`` or ``lifted``. These two moves are taken by the system
(role ``system``) when the new warning is published, never directly by a person.

Context keys the guards read: ``actor`` (user id), ``drafter``, ``reviewer`` (ids or None),
``editors`` (ids of everyone who changed the content), ``comment`` (text).
"""

from __future__ import annotations

from typing import Any, Mapping

from .capabilities import holders
from .statemachine import StateMachine, Transition

DRAFT = "draft"
REVIEWING = "reviewing"
SIGNING = "signing"
SIGNED = "signed"
PUBLISHED = "published"
RETURNED = "returned"
DISCARDED = "discarded"
SUPERSEDED = "superseded"
LIFTED = "lifted"

STATES = {
    DRAFT: "草稿",
    REVIEWING: "待审核",
    SIGNING: "待签发",
    SIGNED: "已签发待发布",
    PUBLISHED: "已发布",
    RETURNED: "已退回",
    DISCARDED: "已作废",
    SUPERSEDED: "已被更新",
    LIFTED: "已解除",
}

# Who takes each step is granted in the capability table (yingji.rules.capabilities).
DRAFTER_ROLES = holders("warnings.draft")
REVIEWER_ROLES = holders("warnings.review")
SIGNER_ROLES = holders("warnings.sign")
PUBLISHER_ROLES = holders("warnings.publish")
SYSTEM = frozenset({"system"})

EDITABLE_STATES = frozenset({DRAFT, RETURNED})


def not_own_draft(context: Mapping[str, Any]) -> str | None:
    actor = context.get("actor")
    if actor is not None and actor == context.get("drafter"):
        return "不能审核或签发自己起草的预警（审批须由起草人以外的人员完成）"
    if actor is not None and actor in (context.get("editors") or ()):
        return "不能审核或签发自己修改过内容的预警（审批须由起草人和修改人以外的人员完成）"
    return None


def signer_is_not_reviewer(context: Mapping[str, Any]) -> str | None:
    if context.get("actor") is not None and context.get("actor") == context.get("reviewer"):
        return "审核人与签发人不能是同一人"
    return None


def comment_required(context: Mapping[str, Any]) -> str | None:
    if not str(context.get("comment") or "").strip():
        return "退回时必须填写退回意见，说明需要修改的内容"
    return None


WORKFLOW = StateMachine(
    "warning_approval",
    STATES,
    [
        Transition("submit", frozenset({DRAFT, RETURNED}), REVIEWING, DRAFTER_ROLES, "提交审核"),
        Transition("approve", frozenset({REVIEWING}), SIGNING, REVIEWER_ROLES, "审核通过", (not_own_draft,)),
        Transition("return_review", frozenset({REVIEWING}), RETURNED, REVIEWER_ROLES, "审核退回",
                   (not_own_draft, comment_required)),
        Transition("sign", frozenset({SIGNING}), SIGNED, SIGNER_ROLES, "签发",
                   (not_own_draft, signer_is_not_reviewer)),
        Transition("return_sign", frozenset({SIGNING}), RETURNED, SIGNER_ROLES, "签发退回",
                   (not_own_draft, comment_required)),
        Transition("publish", frozenset({SIGNED}), PUBLISHED, PUBLISHER_ROLES, "发布"),
        Transition("discard", frozenset({DRAFT, RETURNED}), DISCARDED, DRAFTER_ROLES, "作废"),
        Transition("supersede", frozenset({PUBLISHED}), SUPERSEDED, SYSTEM, "被更新"),
        Transition("lift", frozenset({PUBLISHED}), LIFTED, SYSTEM, "解除"),
    ],
)

# Actions a person takes from the console or the API (the last two are the system's).
HUMAN_ACTIONS = ("submit", "approve", "return_review", "sign", "return_sign", "publish", "discard")

# How a published warning is changed: a new warning of one of these kinds referencing it.
DERIVED_KINDS = {
    "update": ("更新", "Update"),
    "upgrade": ("升级", "Update"),
    "downgrade": ("降级", "Update"),
    "lift": ("解除", "Cancel"),
}


def derived_level_problem(kind: str, original_level: int, new_level: int) -> str | None:
    """Upgrade must raise the level (smaller number), downgrade lower it, update/lift keep it."""
    if kind == "upgrade" and not new_level < original_level:
        return "升级预警的级别必须高于原预警（例如黄色→橙色）"
    if kind == "downgrade" and not new_level > original_level:
        return "降级预警的级别必须低于原预警（例如橙色→黄色）"
    if kind in ("update", "lift") and new_level != original_level:
        return "更新或解除预警不改变级别；要改变级别请使用升级或降级"
    return None
