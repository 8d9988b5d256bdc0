from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from yingji.core import capabilities
from yingji.geo import divcodes
from yingji.rules.roles import ROLES


class User(AbstractUser):
    """A platform user with one role and one regional scope (a division code)."""

    audit_exclude = frozenset({"password"})  # never copied into the audit log

    ROLE_CHOICES = list(ROLES.items())

    role = models.CharField("角色", max_length=20, choices=ROLE_CHOICES, default="readonly")
    region_code = models.CharField("管辖区划", max_length=12, default="210900000000")
    enterprise = models.ForeignKey(
        "regions.Enterprise", verbose_name="所属企业", null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    organisation = models.ForeignKey(
        "regions.Organisation", verbose_name="所属单位", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="users",
    )
    phone = models.CharField("手机", max_length=20, blank=True)
    full_name = models.CharField("姓名", max_length=40, blank=True)

    class Meta:
        verbose_name = "用户"
        ordering = ["username"]

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def scope_prefix(self) -> str:
        return divcodes.scope_prefix(self.region_code)

    def __str__(self):
        return self.display_name()  # a person's name wherever a user is shown (the login name stays in ``username``)

    def display_name(self) -> str:
        return self.full_name or self.username

    def can(self, capability: str) -> bool:
        """Whether this user holds ``capability`` (granted in yingji.rules.capabilities)."""
        return capabilities.has(self, capability)


class ApiToken(models.Model):
    """An API token. Only its SHA-256 digest is stored; the token is shown once. It expires
    (``YINGJI_TOKEN_DAYS``, default 90) and dies with the account's password or status
    (accounts.services.revoke_tokens)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=60, default="cli")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField("前缀", max_length=8)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked = models.BooleanField("已吊销", default=False)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_reason = models.CharField("吊销原因", max_length=60, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API 令牌"

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str = "命令行签发", days: int | None = None) -> str:
        token = "yj_" + secrets.token_urlsafe(32)
        days = settings.YINGJI_TOKEN_DAYS if days is None else days
        cls.objects.create(user=user, name=name, digest=cls.digest_of(token), prefix=token[:8],
                           expires_at=timezone.now() + dt.timedelta(days=days))
        return token

    @property
    def expired(self) -> bool:
        return bool(self.expires_at and self.expires_at <= timezone.now())

    @property
    def is_live(self) -> bool:
        return not self.revoked and not self.expired

    @property
    def status_label(self) -> str:
        return "已吊销" if self.revoked else "已过期" if self.expired else "有效"


class LoginFailure(models.Model):
    """A failed login, kept to throttle and lock out password guessing."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
