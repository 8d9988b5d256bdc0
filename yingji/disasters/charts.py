"""Server-rendered trend charts (inline SVG, no script, no chart library): one indicator's value
per year as a line with points, and the target as a dashed line. Geometry only; the template
``disasters/_trend_chart.html`` draws it."""

from __future__ import annotations

from decimal import Decimal

WIDTH, HEIGHT = 360, 170
LEFT, RIGHT, TOP, BOTTOM = 52, 24, 14, 26


def _nice_max(value: Decimal) -> Decimal:
    """A round upper bound ≥ value (1, 2, 2.5, 5 × 10ⁿ)."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for step in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        bound = step * Decimal(10) ** exponent
        if bound >= value:
            return bound
    return Decimal(10) ** (exponent + 1)  # pragma: no cover - the loop ends at 10 × 10ⁿ


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def trend(years: list[int], values: dict[int, Decimal | None], target: Decimal | None) -> dict:
    """Coordinates for an SVG of ``WIDTH`` × ``HEIGHT``: ``points`` (x, y, year, value text) of
    the years with a value, ``line`` (the polyline's points attribute), ``target_y``, the y-axis
    ``ticks`` and the x labels. Missing years are gaps in the points (no invented values)."""
    known = [v for v in values.values() if v is not None]
    top = _nice_max(max(known + ([target] if target is not None else []) or [Decimal(1)]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(years) - 1, 1)

    def x(i: int) -> float:
        return round(LEFT + i * step, 1)

    def y(value: Decimal) -> float:
        return round(TOP + plot_h - float(value / top) * plot_h, 1)

    points = [{"x": x(i), "y": y(values[year]), "year": year, "text": _plain(values[year].quantize(Decimal("0.01")))}
              for i, year in enumerate(years) if values.get(year) is not None]
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP, "bottom": HEIGHT - BOTTOM,
        "points": points, "line": " ".join(f"{p['x']},{p['y']}" for p in points),
        "target_y": y(target) if target is not None else None,
        "target_text": _plain(target.quantize(Decimal("0.01"))) if target is not None else "",
        "ticks": [{"y": y(top * k / 4), "text": _plain((top * k / 4).quantize(Decimal("0.01")))} for k in range(5)],
        "labels": [{"x": x(i), "year": year} for i, year in enumerate(years)],
        "label_y": HEIGHT - 8,
    }
