"""Capabilities: what a user may do, named once and granted to roles in ONE table.

Code never asks "is this user a commander?"; it asks "may this user sign a warning?"
(``user.can("warnings.sign")`` / ``core.capabilities.require(user, "warnings.sign")``). Which
roles hold a capability is decided here and nowhere else. Model classes name the capability
that lets a user write them (``write_capability``); the state machines in this package take
their per-transition role sets from :func:`holders` of the capability each transition needs.

A capability granted to no role (``frozenset()``) marks records only a service writes.
Pure module: no Django, nothing else of ours except the role list.
"""

from __future__ import annotations

from .roles import ROLES

_ADMINS = frozenset({"sysadmin", "city_admin", "county_admin"})
_DUTY = frozenset({"duty_officer"})
_COMMANDER = frozenset({"commander"})
_SUPERVISOR = frozenset({"supervisor"})
_ENTERPRISE = frozenset({"enterprise"})
# 灾害信息员 of a village or township (救助条例 第十二条; 应急〔2020〕11号): files loss reports only
_INFO_OFFICER = frozenset({"info_officer"})
_BUREAU = _ADMINS | _DUTY | _COMMANDER  # the emergency bureau's own staff

# capability -> (Chinese label, roles that hold it)
CAPABILITIES: dict[str, tuple[str, frozenset[str]]] = {
    # --- administration ----------------------------------------------------------------------
    "users.manage": ("管理用户", _ADMINS),
    "audit.view": ("查看审计日志", _ADMINS),
    "audit.view_all_regions": ("查看全部区划的审计日志", frozenset({"sysadmin"})),
    "registries.write": ("维护基础台账（默认写权限）", _ADMINS),
    "imports.view_others": ("查看他人的导入记录", frozenset({"sysadmin"})),
    # Holders see every enterprise's records in their region; the others (enterprise users)
    # see only their own enterprise's records, and nothing of models without an enterprise.
    "scope.all_enterprises": ("查看辖区内所有企业的数据", frozenset(ROLES) - _ENTERPRISE),
    "regions.enterprises.write": ("维护企业档案", _ADMINS | _SUPERVISOR | _ENTERPRISE),
    "resources.stock.write": ("登记物资出入库", _ADMINS | _COMMANDER),
    # --- duty (值班值守) -------------------------------------------------------------------------
    "duty.write": ("排班、值班日报、通讯录", _ADMINS | _DUTY),
    "duty.handovers.write": ("交接班", _ADMINS | _DUTY | _COMMANDER),
    "duty.swaps.write": ("申请调班", _ADMINS | _DUTY | _COMMANDER),
    "duty.swaps.decide": ("审批调班", _ADMINS | _COMMANDER),
    # --- incidents (接报与报告) ------------------------------------------------------------------
    "incidents.report": ("接报、报告、办结事件", _BUREAU),
    "incidents.escalate_any_unit": ("代任意单位报送报告", frozenset({"sysadmin"})),
    # --- warnings (预警发布) ---------------------------------------------------------------------
    "warnings.draft": ("起草预警", _ADMINS | _DUTY),
    "warnings.review": ("审核预警", _ADMINS | _COMMANDER),
    "warnings.sign": ("签发预警", _ADMINS | _COMMANDER),
    "warnings.publish": ("发布预警", _ADMINS | _DUTY),
    "warnings.subscribers.write": ("维护预警接收人", _ADMINS | _DUTY),
    "warnings.cap_import": ("接收外部 CAP 预警", _BUREAU | _SUPERVISOR),
    # --- monitoring (监测预警) -------------------------------------------------------------------
    "monitoring.write": ("维护监测对象与传感器", _ADMINS | _SUPERVISOR),
    "monitoring.quarantine": ("查看隔离数据", _ADMINS | _DUTY | _SUPERVISOR),
    "alarms.respond": ("确认、处置报警", _BUREAU | _ENTERPRISE),
    "alarms.close": ("关闭报警、误报关闭", _BUREAU),
    # --- hazards (安全监管) ----------------------------------------------------------------------
    "hazards.write": ("维护危险源、风险点、检查任务", _ADMINS | _SUPERVISOR | _ENTERPRISE),
    "hazards.escalate": ("逾期重大隐患升级督办", _ADMINS | _SUPERVISOR),
    "hazards.report": ("登记隐患", frozenset({"city_admin", "county_admin"}) | _SUPERVISOR | _ENTERPRISE),
    "hazards.supervise": ("隐患确认、督办、验收", frozenset({"city_admin", "county_admin"}) | _SUPERVISOR),
    "hazards.rectify": ("隐患整改（企业）", _ENTERPRISE),
    "hazards.grading.write": ("写入分级结果（仅分级服务）", frozenset()),
    # --- command (指挥救援) ----------------------------------------------------------------------
    "command.manage": ("预案、响应、调度", _ADMINS | _COMMANDER),
    "command.tasks.record": ("登记任务签收、处置、办结", _BUREAU),
    "command.tasks.cancel": ("撤销任务", _ADMINS | _COMMANDER),
    "roads.closures.write": ("登记道路封闭", _BUREAU),
    "roads.network.write": ("导入路网", frozenset({"sysadmin", "city_admin"})),
    # --- disasters (灾情管理) --------------------------------------------------------------------
    "disasters.report": ("灾害过程、灾情报告、救助发放、死亡失踪登记", _ADMINS | _DUTY),
    # A report filed by someone who may not review waits for the county's review (待审核).
    "disasters.file_report": ("报送灾情报告", _ADMINS | _DUTY | _INFO_OFFICER),
    "disasters.review": ("审核、更正下级灾情报告并上报", _ADMINS | _DUTY),
    "disasters.relief_logistics": ("救灾物资发放与调运", _ADMINS | _COMMANDER),
    # --- preparedness (预案、演练、培训考试) ------------------------------------------------------
    "plans.draft": ("起草、修订预案，登记意见、评估与备案", _ADMINS | _COMMANDER),
    "plans.approve": ("审批、发布、废止预案", _ADMINS),
    "drills.write": ("登记演练与整改事项", _ADMINS | _COMMANDER | _DUTY),
    "training.manage": ("培训课程、学员、题库、考试与证书", _ADMINS),
    # --- enforcement, credit, government affairs (监管执法、信用、政务管理) ---------------------------
    "enforcement.plan": ("分级、年度检查计划、双随机抽取", _ADMINS - {"sysadmin"} | _SUPERVISOR),
    "enforcement.inspect": ("现场检查、责令整改、复查", _ADMINS - {"sysadmin"} | _SUPERVISOR),
    "enforcement.case": ("立案、调查取证、告知、送达、执行", _ADMINS - {"sysadmin"} | _SUPERVISOR),
    "enforcement.law_review": ("法制审核", _ADMINS - {"sysadmin"}),
    "enforcement.decide": ("作出处罚决定、结案（机关负责人）", _ADMINS - {"sysadmin"}),
    "credit.manage": ("严重失信主体名单：告知、决定、公示、移出", _ADMINS - {"sysadmin"} | _SUPERVISOR),
    "credit.repair": ("申请信用修复（企业）", _ENTERPRISE),
    "affairs.assign": ("交办督查督办事项、考核评分、收发文登记", frozenset({"city_admin"})),
    "affairs.feedback": ("反馈督办事项办理情况、报送考核材料", _ADMINS - {"sysadmin"}),
    # --- installation exchange (上下级平台对接) ---------------------------------------------------
    "exchange.manage": ("上下级平台对接：签发凭据、配置上级、导入导出", _ADMINS),
    "exchange.view": ("查看上下级平台报送与连接状态", _BUREAU | frozenset({"readonly"})),
    # --- social mobilisation (社会动员), the public portal and the field app -----------------------
    "social.forces.register": ("登记社会应急力量及其能力、队员、装备", _ADMINS),
    "social.forces.review": ("审核社会应急力量、记录测评等级", _ADMINS),
    "social.volunteers.manage": ("管理志愿者与召集、签到签退", _ADMINS | _DUTY | _COMMANDER),
    "social.reports.handle": ("处理群众报告与外业报送", _BUREAU),
    "social.portal.publish": ("发布科普文章", _ADMINS),
    "field.report": ("外业报送（现场 App）", _BUREAU | _SUPERVISOR | _INFO_OFFICER),
}

DEFAULT_WRITE_CAPABILITY = "registries.write"
"""What writing a model needs when the model names no ``write_capability``."""


class UnknownCapabilityError(KeyError):
    """A capability name that is not in the table: a typo must never silently deny or grant."""


def _entry(capability: str) -> tuple[str, frozenset[str]]:
    try:
        return CAPABILITIES[capability]
    except KeyError:
        raise UnknownCapabilityError(f"unknown capability {capability!r}") from None


def holders(capability: str) -> frozenset[str]:
    """The roles that hold ``capability``."""
    return _entry(capability)[1]


def label(capability: str) -> str:
    return _entry(capability)[0]


def role_can(role: str | None, capability: str) -> bool:
    return role in holders(capability)


def capabilities_of(role: str) -> frozenset[str]:
    """Every capability ``role`` holds."""
    return frozenset(cap for cap, (_, roles) in CAPABILITIES.items() if role in roles)
