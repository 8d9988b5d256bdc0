"""Console: API tokens — one's own (issue, list, revoke) and, for administrators, a managed user's."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yingji.core.errors import ServiceError
from yingji.core.views import render_error, service_view

from . import services
from .models import User


def _owner(request) -> User:
    user_id = request.GET.get("user") or request.POST.get("user")
    if not user_id or str(user_id) == str(request.user.pk):
        return request.user
    user = services.managed_users(request.user).filter(pk=user_id).first() if str(user_id).isdigit() else None
    if user is None:
        raise services.NotFound("用户不存在或不在您的管辖范围内")
    return user


def _back(owner: User, me: User) -> str:
    url = reverse("accounts-tokens")
    return url if owner.pk == me.pk else f"{url}?user={owner.pk}"


@service_view
def token_list(request):
    owner = _owner(request)
    tokens = services.tokens_of(request.user, owner)
    new_token = request.session.pop("new_api_token", None)
    return render(request, "accounts/token_list.html", {
        "owner": owner, "own": owner.pk == request.user.pk, "tokens": tokens, "new_token": new_token,
        "days": services.settings.YINGJI_TOKEN_DAYS,
    })


@require_POST
@service_view
def token_issue(request):
    try:
        days = int(request.POST.get("days") or services.settings.YINGJI_TOKEN_DAYS)
    except ValueError:
        return render_error(request, 400, "有效期应为 1–366 天的整数")
    try:
        token = services.issue_token(request.user, request.POST.get("name", ""), days=days)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        request.session["new_api_token"] = token  # shown once on the next page, then gone
    return redirect("accounts-tokens")


@require_POST
@service_view
def token_revoke(request, pk):
    token = services.revoke_token(request.user, pk)
    messages.success(request, f"已吊销令牌 {token.name}（{token.prefix}…）")
    return redirect(_back(token.user, request.user))
