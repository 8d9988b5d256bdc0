"""Pagination shared by every list route: ``page`` and ``page_size`` (≤ 1000) in, ``{items, count}`` out."""

from __future__ import annotations

from yingji.core.errors import ValidationFailed

MAX_PAGE_SIZE = 1000
MAX_PAGE = 1_000_000


def page_params(request) -> tuple[int, int]:
    def as_int(name: str, default: int) -> int:
        raw = request.GET.get(name)
        if raw in (None, ""):
            return default
        try:
            return int(raw)
        except ValueError as exc:
            raise ValidationFailed(f"{name} 必须是整数", fields={name: ["必须是整数"]}) from exc

    page, size = as_int("page", 1), as_int("page_size", 50)
    if page < 1:
        raise ValidationFailed("page 必须 ≥ 1", fields={"page": ["必须 ≥ 1"]})
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"page_size 必须在 1–{MAX_PAGE_SIZE} 之间", fields={"page_size": [f"1–{MAX_PAGE_SIZE}"]})
    if page > MAX_PAGE:  # databases refuse offsets beyond 64 bits; no list has this many pages
        raise ValidationFailed(f"page 不能超过 {MAX_PAGE}", fields={"page": [f"≤ {MAX_PAGE}"]})
    return page, size


def paginate(request, queryset) -> dict:
    """One page of a queryset (or a list) as ``{"items", "count"}``."""
    page, size = page_params(request)
    count = len(queryset) if isinstance(queryset, list) else queryset.count()
    start = (page - 1) * size
    return {"items": list(queryset[start:start + size]), "count": count}
