"""Regional scope: who may see and change which records.

A user's scope is the prefix of their region code (see ``yingji.geo.divcodes``).
Models opt in to enterprise isolation by naming ``scope_enterprise_field``; enterprise users
see only their own enterprise's records there and nothing where a model does not name one.
Models name the capability that lets a user write them in ``write_capability`` (default:
``registries.write``, the administrators); the capability table is ``yingji.rules.capabilities``.
Enterprise isolation applies to users without the ``scope.all_enterprises`` capability.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet

from yingji.geo import divcodes
from yingji.rules.roles import ROLES

from . import capabilities
from .errors import Forbidden, NotAuthenticated, NotFound, ValidationFailed


def _require_user(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAuthenticated("请先登录")
    if not user.is_active:
        raise Forbidden("账号已停用")


def write_capability(model: type[Model]) -> str:
    return getattr(model, "write_capability", capabilities.DEFAULT_WRITE_CAPABILITY)


def enterprise_field(model: type[Model]) -> str | None:
    return getattr(model, "scope_enterprise_field", None)


def visible(queryset: QuerySet, user) -> QuerySet:
    """Filter a queryset to what the user may see."""
    _require_user(user)
    model = queryset.model
    queryset = queryset.filter(division_code__startswith=user.scope_prefix)
    if capabilities.enterprise_bound(user):
        field = enterprise_field(model)
        if field is None or user.enterprise_id is None:
            return queryset.none()
        queryset = queryset.filter(**{field: user.enterprise_id})
    return queryset


def is_visible(obj: Model, user) -> bool:
    if not divcodes.is_within(obj.division_code, user.region_code):
        return False
    if capabilities.enterprise_bound(user):
        field = enterprise_field(type(obj))
        if field is None:
            return False
        value = obj.pk if field == "pk" else getattr(obj, f"{field}_id", None)
        return value is not None and value == user.enterprise_id
    return True


def check_can_see(obj: Model, user) -> None:
    _require_user(user)
    if not is_visible(obj, user):
        raise Forbidden(f"“{obj}”不在您的管辖范围内（{user.region_code[:6]}），无权访问")


def check_can_write(model: type[Model], user, division_code: str | None = None, obj: Model | None = None) -> None:
    """Raise unless the user's role may write this model in ``division_code``
    (and, for enterprise users, unless ``obj`` belongs to their own enterprise)."""
    _require_user(user)
    needed = write_capability(model)
    if not capabilities.has(user, needed):
        allowed = capabilities.holders(needed)
        names = "、".join(ROLES[r] for r in sorted(allowed) if r in ROLES)
        raise Forbidden(f"您的角色（{ROLES.get(user.role, user.role)}）无权修改{model._meta.verbose_name}，需要：{names}")
    try:
        inside = not division_code or divcodes.is_within(division_code, user.region_code)
    except divcodes.DivisionCodeError as exc:
        raise ValidationFailed(str(exc), fields={"division_code": [str(exc)]}) from exc
    if not inside:
        raise Forbidden(f"区划 {divcodes.short_code(division_code)} 不在您的管辖范围内，不能在此新增或修改记录")

    if capabilities.enterprise_bound(user) and obj is not None:
        field = enterprise_field(model)
        value = None if field is None else (obj.pk if field == "pk" else getattr(obj, f"{field}_id", None))
        if value is None or value != user.enterprise_id:
            raise Forbidden("企业用户只能填报和修改本企业的记录")


def check_can_create(model: type[Model], user) -> None:
    """Early refusal before validating input: the role may not create this kind of record."""
    check_can_write(model, user)
    if capabilities.enterprise_bound(user) and enterprise_field(model) in (None, "pk"):
        raise Forbidden(f"企业用户不能新增{model._meta.verbose_name}")


def get_visible(queryset: QuerySet, pk, user, label: str | None = None, *, scope_of=None) -> Model:
    """A record by primary key that the user may see: 404 (Chinese message) when there is no
    such record, 403 when it lies outside the user's scope. ``scope_of(obj)`` names the record
    whose scope counts (e.g. a report is seen through its incident)."""
    model = queryset.model
    try:
        obj = queryset.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"{label or model._meta.verbose_name}（编号 {pk}）不存在") from None
    check_can_see(scope_of(obj) if scope_of else obj, user)
    return obj
