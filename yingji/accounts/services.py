"""Accounts: login with throttling and lock-out, user management within scope, API tokens."""

from __future__ import annotations

import copy
import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from django.db.models import Q
from django.utils import timezone

from yingji.core import capabilities, records
from yingji.core.errors import Forbidden, NotAuthenticated, NotFound, TooManyRequests, ValidationFailed
from yingji.geo import divcodes
from yingji.regions.services import check_division_exists
from yingji.rules.roles import ROLES, may_grant, role_code
from yingji.core.records import audited_transaction

from .models import ApiToken, LoginFailure, User


class LoginLocked(Forbidden):
    code = "login_locked"


def _lock_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.YINGJI_LOGIN_LOCK_MINUTES)


def _recent_failures(username: str, address: str) -> tuple[int, int]:
    since = timezone.now() - _lock_window()
    recent = LoginFailure.objects.filter(at__gte=since)
    return recent.filter(username=username).count(), recent.filter(address=address).count()


def login(username: str, password: str, address: str, request=None) -> User:
    """Authenticate or raise. Repeated failures lock the username and the address."""
    username = (username or "").strip()
    limit = settings.YINGJI_LOGIN_MAX_FAILURES
    by_user, by_address = _recent_failures(username, address)
    if by_user >= limit or by_address >= limit * 4:
        raise LoginLocked(f"登录失败次数过多，账号已临时锁定，请 {settings.YINGJI_LOGIN_LOCK_MINUTES} 分钟后再试或联系管理员")
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username, address=address)
        # Filed under the account's region (or the installation's city) so its administrators see it.
        region = (User.objects.filter(username=username).values_list("region_code", flat=True).first()
                  or divcodes.normalise(settings.YINGJI_PROFILE_CITY))
        records.log_event(None, "login_failed", None, model_label="accounts.User", note=f"用户名：{username}"[:300],
                          address=address, division_code=region)
        left = limit - by_user - 1
        if left <= 0:
            locked = User.objects.filter(username=username).first()
            if locked is not None:
                revoke_tokens(locked, "登录失败次数过多，账号已锁定")
            raise LoginLocked(f"登录失败次数过多，账号已临时锁定 {settings.YINGJI_LOGIN_LOCK_MINUTES} 分钟")
        raise NotAuthenticated(f"用户名或密码错误（还可尝试 {left} 次）")
    LoginFailure.objects.filter(username=username).delete()
    records.log_event(user, "login", user, address=address)
    return user


def unlock(admin: User, user: User) -> None:
    check_can_manage(admin, user.role, user.region_code)
    LoginFailure.objects.filter(username=user.username).delete()
    records.log_event(admin, "update", user, note="解除登录锁定")


def check_can_manage(admin: User, role: str, region_code: str) -> None:
    capabilities.require(admin, "users.manage", "只有管理员可以管理用户")
    if not may_grant(admin.role, role):
        raise Forbidden(f"{admin.role_label}不能授予“{ROLES.get(role, role)}”角色")
    if not divcodes.is_within(region_code, admin.region_code):
        raise Forbidden(f"区划 {divcodes.short_code(region_code)} 不在您的管辖范围内")


def can_manage(admin: User, user: User) -> bool:
    """Whether ``admin`` may change ``user`` (``check_can_manage`` without raising): the user
    lists show the others of the area, not as links to a form the server would refuse."""
    try:
        check_can_manage(admin, user.role, user.region_code)
    except Forbidden:
        return False
    return True


def managed_users(admin: User):
    capabilities.require(admin, "users.manage", "只有管理员可以管理用户")
    return User.objects.filter(region_code__startswith=admin.scope_prefix)


def _clean_user_fields(role: str, region: str, enterprise_id) -> tuple[str, str]:
    try:
        role = role_code(role)
    except ValueError as exc:
        raise ValidationFailed(str(exc), fields={"role": [str(exc)]}) from exc
    try:
        region = divcodes.normalise(region)
    except ValueError as exc:
        raise ValidationFailed(str(exc), fields={"region_code": [str(exc)]}) from exc
    check_division_exists(region)
    if not capabilities.role_can(role, "scope.all_enterprises") and not enterprise_id:
        raise ValidationFailed("企业用户必须指定所属企业", fields={"enterprise": ["必填"]})
    return role, region


# The password rules' messages, by the validators' codes (settings.AUTH_PASSWORD_VALIDATORS): Django
# 5.2's Chinese catalogue lacks the current wording of some of them, which then reached the console
# in English.
PASSWORD_PROBLEMS = {
    "password_too_short": "密码长度太短，至少需要 {min_length} 个字符",
    "password_too_common": "密码过于常见",
    "password_entirely_numeric": "密码不能全部为数字",
    "password_too_similar": "密码与用户名、姓名等信息过于相似",
}


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        problems = [PASSWORD_PROBLEMS[e.code].format(**(e.params or {})) if e.code in PASSWORD_PROBLEMS
                    else "；".join(e.messages) for e in exc.error_list]
        raise ValidationFailed("密码不符合要求：" + "；".join(problems), fields={"password": problems}) from exc


def create_user(admin: User | None, username: str, password: str, role: str, region_code: str, *,
                full_name: str = "", phone: str = "", enterprise_id=None, organisation_id=None) -> User:
    """Create a user. ``admin`` None means the command line (the machine's operator)."""
    role, region = _clean_user_fields(role, region_code, enterprise_id)
    if admin is not None:
        check_can_manage(admin, role, region)
    username = (username or "").strip()
    if not username:
        raise ValidationFailed("用户名不能为空", fields={"username": ["必填"]})
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(f"用户名“{username}”已存在", fields={"username": ["已存在"]})
    user = User(username=username, role=role, region_code=region, full_name=full_name, phone=phone,
                enterprise_id=enterprise_id, organisation_id=organisation_id, is_staff=False)
    _check_password(password, user)
    user.set_password(password)
    chosen = {"enterprise_id": enterprise_id or None, "organisation_id": organisation_id or None}
    fields = {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields
              if not f.primary_key and f.attname not in chosen}
    return records.create_record(admin or records.SYSTEM, User, chosen, server=fields, validate=False,
                                 audit_division=region)


def update_user(admin: User, user: User, *, role: str | None = None, region_code: str | None = None,
                full_name: str | None = None, phone: str | None = None, is_active: bool | None = None,
                enterprise_id=None, password: str | None = None) -> User:
    check_can_manage(admin, user.role, user.region_code)
    new_role, new_region = _clean_user_fields(role or user.role, region_code or user.region_code,
                                              enterprise_id if enterprise_id is not None else user.enterprise_id)
    check_can_manage(admin, new_role, new_region)
    if user.pk == admin.pk and (new_role != user.role or is_active is False):
        raise Forbidden("不能修改自己的角色或停用自己的账号")
    changes = {"role": new_role, "region_code": new_region}
    if full_name is not None:
        changes["full_name"] = full_name
    if phone is not None:
        changes["phone"] = phone
    if is_active is not None:
        changes["is_active"] = is_active
    if enterprise_id is not None:
        changes["enterprise_id"] = enterprise_id or None
    probe = copy.copy(user)
    for key, value in changes.items():
        setattr(probe, key, value)
    records.check_foreign_keys(admin, probe, changes)
    if password:
        _check_password(password, probe)
        probe.set_password(password)
        changes["password"] = probe.password
    with audited_transaction():
        was_active = user.is_active
        user = records.change(admin, user, lock=False, audit_division=new_region, **changes)
        if password:
            revoke_tokens(user, "密码已重置", by=admin)
        if was_active and not user.is_active:
            revoke_tokens(user, "账号已停用", by=admin)
    return user


def issue_token(user: User, name: str = "命令行签发", by: User | None = None, days: int | None = None) -> str:
    """A new API token for ``user`` (shown once). ``by``: an administrator issuing it for them."""
    if by is not None and by.pk != user.pk:
        check_can_manage(by, user.role, user.region_code)
    name = (name or "").strip() or "命令行签发"
    recent = ApiToken.objects.filter(user=user, created_at__gte=timezone.now() - dt.timedelta(hours=1)).count()
    if recent >= TOKENS_PER_HOUR:
        raise TooManyRequests(f"一小时内最多签发 {TOKENS_PER_HOUR} 个令牌，请稍后再试")
    if len(name) > 60:
        raise ValidationFailed("令牌名称不能超过 60 个字", fields={"name": ["不能超过 60 个字"]})
    if days is not None and not 1 <= days <= 366:
        raise ValidationFailed("有效期应为 1–366 天", fields={"days": ["应为 1–366 天"]})
    with audited_transaction():
        token = ApiToken.issue(user, name, days)
        records.log_event(by or user, "token", user, note=f"签发API令牌：{name}",
                          division_code=user.region_code)
    return token


TOKEN_ATTEMPTS = "（API 令牌）"  # LoginFailure.username of failed bearer-token attempts
TOKENS_PER_HOUR = 20


def _token_failures(address: str) -> int:
    since = timezone.now() - _lock_window()
    return LoginFailure.objects.filter(username=TOKEN_ATTEMPTS, address=address, at__gte=since).count()


def check_token_attempts(address: str) -> None:
    """Too many wrong tokens from one address within the lock window: refuse (429) before even
    looking the token up, so tokens cannot be guessed at speed."""
    if _token_failures(address) >= settings.YINGJI_LOGIN_MAX_FAILURES * 4:
        raise TooManyRequests(f"来自该地址的无效令牌过多，请 {settings.YINGJI_LOGIN_LOCK_MINUTES} 分钟后再试")


def note_token_failure(address: str) -> None:
    LoginFailure.objects.create(username=TOKEN_ATTEMPTS, address=address)
    if _token_failures(address) == settings.YINGJI_LOGIN_MAX_FAILURES * 4:
        records.log_event(None, "login_failed", None, model_label="accounts.ApiToken", address=address,
                          note=f"无效 API 令牌尝试过多，地址 {address} 暂停 {settings.YINGJI_LOGIN_LOCK_MINUTES} 分钟",
                          division_code=divcodes.normalise(settings.YINGJI_PROFILE_CITY))


def user_for_token(token: str) -> User | None:
    row = (ApiToken.objects.select_related("user")
           .filter(digest=ApiToken.digest_of(token), revoked=False, user__is_active=True)
           .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())).first())
    if row is None:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def revoke_tokens(user: User, reason: str, by: User | None = None) -> int:
    """Every live token of ``user`` dies (password change or reset, lock-out, deactivation)."""
    live = ApiToken.objects.filter(user=user, revoked=False)
    count = live.update(revoked=True, revoked_at=timezone.now(), revoked_reason=reason[:60])
    if count:
        records.log_event(by, "update", user, note=f"吊销全部API令牌 {count} 个：{reason}", division_code=user.region_code)
    return count


def tokens_of(viewer: User, user: User):
    """The tokens a viewer may list: their own, or those of a user they manage."""
    if viewer.pk != user.pk:
        check_can_manage(viewer, user.role, user.region_code)
    return ApiToken.objects.filter(user=user)


def revoke_token(actor: User, token_id: int) -> ApiToken:
    """Revoke one token: by its owner, or by an administrator who manages the owner."""
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None:
        raise NotFound("令牌不存在")
    if token.user_id != actor.pk:
        try:
            check_can_manage(actor, token.user.role, token.user.region_code)
        except Forbidden:
            raise NotFound("令牌不存在") from None  # do not reveal other people's tokens
    if not token.revoked:
        with audited_transaction():
            ApiToken.objects.filter(pk=token.pk).update(revoked=True, revoked_at=timezone.now(),
                                                        revoked_reason="本人吊销" if token.user_id == actor.pk else "管理员吊销")
            records.log_event(actor, "update", token.user, note=f"吊销API令牌：{token.name}（{token.prefix}…）",
                              division_code=token.user.region_code)
        token.refresh_from_db()
    return token


def get_user(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise NotFound(f"用户“{username}”不存在") from exc


def search_users(admin: User, text: str = ""):
    qs = managed_users(admin)
    if text:
        qs = qs.filter(Q(username__icontains=text) | Q(full_name__icontains=text))
    return qs
