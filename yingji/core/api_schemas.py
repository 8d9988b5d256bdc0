"""The public vocabulary every app's ``api.py`` uses to type its routes (import from here, never
from the API's wiring in ``yingji/api``; it lives in the floor so apps may depend on it): the one error shape, error-status maps, list pages, GeoJSON and file
downloads.

Every route declares a Schema for each status it can answer::

    @router.get("/{int:pk}", response={200: ThingOut, **errors(403, 404)})

Statuses the framework itself adds are documented by ``document_framework_errors`` when the API
is built (400 bad parameters, 401 no credentials, 403 CSRF refused on an unsafe session call,
404 unknown id in the path, 413 body over the request limit), so a route lists only what its
own code raises.
"""

from __future__ import annotations

from typing import Annotated, Any, Optional

from ninja import Schema
from pydantic import Field, create_model


class ErrorInfo(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class Error(Schema):
    """``{"error": {"code", "message", "fields"}}``: the body of every 4xx answer."""

    error: ErrorInfo


def errors(*statuses: int) -> dict[int, type[Schema]]:
    """``{status: Error}`` for the given statuses (to spread into a route's ``response=``)."""
    for status in statuses:
        if not 400 <= status < 500:
            raise ValueError(f"{status} is not an error status")
    return {status: Error for status in statuses}


_PAGES: dict[tuple[type, str], type[Schema]] = {}


def page_of(item: type, name: str) -> type[Schema]:
    """The ``{"items": [item], "count": n}`` Schema of one list route (named ``name`` in OpenAPI)."""
    key = (item, name)
    if key not in _PAGES:
        _PAGES[key] = create_model(name, __base__=Schema, items=(list[item], ...), count=(int, ...))
    return _PAGES[key]


# Bounded numbers for parameters and fields: the bound is in the OpenAPI document (clients and
# fuzzers see it) and a value outside it is refused with 400 before the route runs.
Longitude = Annotated[float, Field(ge=-180, le=180, description="经度（WGS-84，-180 至 180）")]
Latitude = Annotated[float, Field(ge=-90, le=90, description="纬度（WGS-84，-90 至 90）")]
# The id of a record in a query parameter: a 64-bit database key (a larger number cannot name a record).
RecordId = Annotated[int, Field(ge=0, le=2**63 - 1, description="记录编号")]
# A calendar year of statistics (year 0 or 10000 cannot be a date).
Year = Annotated[int, Field(ge=1900, le=2100, description="年份")]


class Geometry(Schema):
    type: str
    coordinates: Any


class Feature(Schema):
    type: str = "Feature"
    geometry: Optional[Geometry]
    properties: dict[str, Any]


class FeatureCollection(Schema):
    """GeoJSON (RFC 7946), WGS-84 longitude/latitude; ``properties`` as each layer describes."""

    type: str = "FeatureCollection"
    features: list[Feature]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def file_download(*content_types: str, status: int = 200, description: str = "文件下载") -> dict:
    """``openapi_extra`` documenting a binary download (the route declares ``{status: None}``)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {status: {"description": description,
                                   "content": {ctype: binary for ctype in content_types}}}}
