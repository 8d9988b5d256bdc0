"""Typed, read-only view of a CAP alert (CAP 1.1 and 1.2 share this shape).

Coordinates follow the GIS order ``(lon, lat)`` everywhere in this model, although CAP writes
``"lat,lon"`` in its ``polygon`` and ``circle`` text: the parser and builder do the swap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

CAP_NAMESPACES = {
    "urn:oasis:names:tc:emergency:cap:1.2": "1.2",
    "urn:oasis:names:tc:emergency:cap:1.1": "1.1",
}
CAP12_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CAP11_NS = "urn:oasis:names:tc:emergency:cap:1.1"
CAP10_NS = "http://www.incident.com/cap/1.0"
EDXL_DE_NS = "urn:oasis:names:tc:emergency:EDXL:DE:1.0"

LonLat = tuple[float, float]


class CapReference(NamedTuple):
    """One entry of ``<references>``: the identity triple of an earlier message."""

    sender: str
    identifier: str
    sent: datetime


class CapCircle(NamedTuple):
    lon: float
    lat: float
    radius_km: float


@dataclass(frozen=True)
class CapArea:
    area_desc: str
    polygons: list[list[LonLat]] = field(default_factory=list)
    circles: list[CapCircle] = field(default_factory=list)
    geocodes: list[tuple[str, str]] = field(default_factory=list)
    altitude: float | None = None
    ceiling: float | None = None


@dataclass(frozen=True)
class CapInfo:
    language: str
    categories: list[str]
    event: str
    urgency: str
    severity: str
    certainty: str
    headline: str | None = None
    description: str | None = None
    instruction: str | None = None
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str | None = None
    response_types: list[str] = field(default_factory=list)
    event_codes: list[tuple[str, str]] = field(default_factory=list)
    parameters: list[tuple[str, str]] = field(default_factory=list)
    web: str | None = None
    contact: str | None = None
    areas: list[CapArea] = field(default_factory=list)
    resources: list[dict] = field(default_factory=list)  # resourceDesc, mimeType, size, uri, digest

    @property
    def category(self) -> str:
        """The first category (CAP allows several; most messages carry one)."""
        return self.categories[0]


@dataclass(frozen=True)
class CapAlert:
    version: str  # "1.2" or "1.1"
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    references: list[CapReference] = field(default_factory=list)
    infos: list[CapInfo] = field(default_factory=list)
    source: str | None = None
    restriction: str | None = None
    addresses: str | None = None
    codes: list[str] = field(default_factory=list)
    note: str | None = None
    incidents: str | None = None
    references_empty: bool = False  # a <references> element with no entries (some real feeds send one)

    def info_for(self, language_prefix: str = "zh") -> CapInfo | None:
        """The first info block whose language starts with ``language_prefix``, else the first."""
        for info in self.infos:
            if info.language.lower().startswith(language_prefix.lower()):
                return info
        return self.infos[0] if self.infos else None


def dedup_key(alert: CapAlert | CapReference) -> tuple[str, str, datetime]:
    """CAP's identity of a message: (sender, identifier, sent).

    ``sent`` is an aware datetime, so the same instant written with different UTC offsets gives
    equal (and equally hashed) keys. A :class:`CapReference` yields the key of the message it
    points at, so ``dedup_key(ref) == dedup_key(alert)`` finds what an Update/Cancel refers to.
    """
    return (alert.sender, alert.identifier, alert.sent)
