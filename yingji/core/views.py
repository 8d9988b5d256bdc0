"""The service-view helper every app's console views use: service errors become a Chinese error
page with the right status. The page template (``web/error.html``) belongs to the shell."""

from __future__ import annotations

import functools
from typing import Any, Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

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


def service_post(request, run: Callable[[], Any], to, *args, success: str | Callable[[Any], str | None] | None = None,
                 then: Callable[[Any], str] | None = None, **kwargs):
    """The shape of a console POST that runs one service call and goes back to a page: the
    service's refusal becomes an error message, its result an optional success message (text,
    or a function of the result), then a redirect to ``to`` (a URL name with ``args``/``kwargs``,
    or a URL; ``then`` gives the URL to go to after success from the result, e.g. the new record's
    page). Errors raised before ``run`` (a record not found, not visible) stay with
    ``service_view``'s error page."""
    try:
        result = run()
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(to, *args, **kwargs)
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    return redirect(then(result)) if then else redirect(to, *args, **kwargs)


def page_again(request, exc: ServiceError, page, *args):
    """The other shape of a console POST: the service refused, so the page the form came from is
    shown again with the refusal and its status (a 401/404 stays with ``service_view``'s error
    page). ``page`` is a view decorated with ``service_view`` that takes ``error`` and ``status``."""
    if exc.status in (401, 404):
        raise exc
    return page.__wrapped__(request, *args, error=exc.message, status=exc.status)
