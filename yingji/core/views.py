"""The service-view helper every app's console views use: service errors become a Chinese error
page with the right status. The page template (``web/error.html``) belongs to the shell."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from yingji.core.errors import ServiceError


def render_error(request, status: int, message: str):
    return render(request, "web/error.html", {"status": status, "message": message}, status=status)


def service_view(view):
    """Turn service errors into a Chinese error page with the right status."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ServiceError as exc:
            return render_error(request, exc.status, exc.message)

    return login_required(wrapper)
