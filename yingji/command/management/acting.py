"""The user a command-line action runs as (audit and scope need one)."""

from yingji.accounts.models import User
from yingji.core.errors import NotFound


def system_user(username: str | None) -> User:
    """``--user NAME``, else the first active system administrator."""
    qs = User.objects.filter(is_active=True)
    user = qs.filter(username=username).first() if username else qs.filter(role="sysadmin").order_by("pk").first()
    if user is None:
        raise NotFound(f"用户 {username} 不存在" if username else "没有可用的系统管理员账号，请用 --user 指定")
    return user
