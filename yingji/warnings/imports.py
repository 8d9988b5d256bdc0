"""CAP from other agencies (meteorology, earthquake, upper levels): file upload, feed polling
(Atom or plain CAP) and API push all end in :func:`import_cap`.

* The decision (accept / accept with a note / reject with reasons) is :func:`yingji.cap.review_incoming`;
  every received document is kept byte for byte with that decision (also the rejected ones).
* De-duplication on CAP's identity (sender, identifier, sent): the same alert twice is stored once.
* An Update or Cancel is linked to the alert it references (when we have it); that alert becomes
  ``superseded`` or ``cancelled``. A reference that arrives before its original is linked when
  the original arrives later.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime
from urllib.parse import urljoin

import requests
from django.conf import settings

from django.utils import timezone
from shapely.geometry import Point, Polygon, mapping
from shapely.ops import unary_union

from yingji.cap import REJECT, CapXMLError, dedup_key, review_incoming, safe_parse
from yingji.cap.parse import alert_documents, parse_cap
from yingji.cap.review import IncomingReview
from yingji.cap.signature import INVALID, UNSIGNED, VALID, SignatureCheck, split_pem_bundle, verify_signature
from yingji.core import outbound, records
from yingji.geo import divcodes
from yingji.rules.warning_levels import level_from_cap
from yingji.core.records import audited_transaction

from .models import CapFeed, CapImport, ImportedAlert
from .targeting import circle_polygon

log = logging.getLogger(__name__)
ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_MAX_BYTES = 2 * 1024 * 1024
FEED_MAX_ENTRIES = 50
KEPT_PREFIX_BYTES = 1024  # of a refused oversized document


def _geometry(info) -> dict | None:
    parts = []
    for area in info.areas:
        for polygon in area.polygons:
            if len(polygon) >= 3:
                shape = Polygon(polygon)
                parts.append(shape if shape.is_valid else shape.buffer(0))
        for circle in area.circles:
            if circle.radius_km > 0:
                parts.append(circle_polygon(circle.lon, circle.lat, circle.radius_km))
            else:  # a zero radius is a point (CAP 1.2 §3.2.4), not nothing
                parts.append(Point(circle.lon, circle.lat))
    if not parts:
        return None
    return mapping(unary_union(parts))


def _cpeas_codes(info) -> list[str]:
    codes = []
    for area in info.areas:
        for name, value in area.geocodes:
            codes.append(f"{name}:{value}")
    return codes


def _division_of(info) -> str:
    """The 12-digit code of the first CPEAS geocode, when it is one."""
    for area in info.areas:
        for name, value in area.geocodes:
            if name == "CPEAS Geographic Code" and value.isdigit() and len(value) in (6, 9, 12):
                try:
                    return divcodes.normalise(value)
                except divcodes.DivisionCodeError:
                    continue
    return ""


def _time_text(value) -> str | None:
    return value.isoformat() if value is not None else None


def info_record(info) -> dict:
    """Everything of one ``<info>`` block, JSON-ready (kept for every language)."""
    return {
        "language": info.language, "categories": info.categories, "event": info.event,
        "response_types": info.response_types, "urgency": info.urgency, "severity": info.severity,
        "certainty": info.certainty, "event_codes": [list(p) for p in info.event_codes],
        "effective": _time_text(info.effective), "onset": _time_text(info.onset), "expires": _time_text(info.expires),
        "sender_name": info.sender_name, "headline": info.headline, "description": info.description,
        "instruction": info.instruction, "web": info.web, "contact": info.contact,
        "parameters": [list(p) for p in info.parameters], "resources": info.resources,
        "areas": [{"area_desc": a.area_desc, "geocodes": [list(g) for g in a.geocodes],
                   "polygons": [[list(p) for p in polygon] for polygon in a.polygons],
                   "circles": [list(c) for c in a.circles], "altitude": a.altitude, "ceiling": a.ceiling}
                  for a in info.areas],
    }


def _alert_row(alert, cap_import: CapImport, synthetic: bool, cap_xml: str = "") -> ImportedAlert:
    info = alert.info_for("zh")
    row = ImportedAlert(
        cap_import=cap_import, sender=alert.sender[:200], identifier=alert.identifier[:200], sent=alert.sent,
        version=alert.version, status=alert.status, msg_type=alert.msg_type, is_synthetic=synthetic,
        scope=(alert.scope or "")[:12], infos=[info_record(i) for i in alert.infos], cap_xml=cap_xml,
        references=[[r.sender, r.identifier, r.sent.isoformat()] for r in alert.references],
        state="cancelled" if alert.msg_type == "Cancel" else "active",
    )
    if info is not None:
        row.language = info.language[:10]
        row.event = info.event[:200]
        row.headline = (info.headline or "")[:300]
        row.description = info.description or ""
        row.instruction = info.instruction or ""
        row.sender_name = (info.sender_name or "")[:200]
        row.severity, row.urgency, row.certainty = info.severity[:10], info.urgency[:10], info.certainty[:12]
        row.level = level_from_cap(info.severity, info.headline)
        row.effective, row.onset, row.expires = info.effective, info.onset, info.expires
        row.area_desc = "；".join(a.area_desc for a in info.areas)
        row.geocodes = _cpeas_codes(info)
        row.geometry = _geometry(info)
        row.division_code = _division_of(info)
    return row


def _same(alert: ImportedAlert, sender: str, identifier: str, sent: str) -> bool:
    return alert.sender == sender and alert.identifier == identifier and alert.sent == datetime.fromisoformat(sent)


def _end(target: ImportedAlert, follow: ImportedAlert) -> None:
    follow.updates = target
    follow.save(update_fields=["updates"])
    new_state = "cancelled" if follow.msg_type == "Cancel" else "superseded"
    if target.state == "active" or new_state == "cancelled":
        target.state = new_state
        target.save(update_fields=["state"])


def _link(row: ImportedAlert) -> None:
    """Link an Update/Cancel to what it references, and earlier follow-ups to a late original."""
    for sender, identifier, sent in row.references:
        for original in ImportedAlert.objects.filter(sender=sender[:200], identifier=identifier[:200]).exclude(pk=row.pk):
            if _same(original, sender, identifier, sent):
                _end(original, row)
    waiting = ImportedAlert.objects.filter(updates__isnull=True, msg_type__in=["Update", "Cancel"]).exclude(pk=row.pk)
    for follow in waiting:
        if any(_same(row, s, i, t) for s, i, t in follow.references):
            _end(row, follow)


def import_cap(raw: bytes, *, source: str, source_name: str = "", user=None, feed: CapFeed | None = None,
               synthetic: bool = False) -> CapImport:
    """Review, store and link one received document. Never raises for bad input: a rejected
    document is recorded with its reasons (and nothing else is written)."""
    limit = settings.YINGJI_CAP_MAX_BYTES
    digest = hashlib.sha256(raw).hexdigest()
    if len(raw) > limit:
        # Not parsed at all; only the hash and the first kilobyte are kept, with the reason.
        review = IncomingReview(REJECT, reasons=[f"CAP 报文过大（{len(raw):,} 字节，上限 {limit // 1024} KB），已拒收"],
                                notes=[f"仅保存报文前 {KEPT_PREFIX_BYTES} 字节与 SHA-256"])
        raw = raw[:KEPT_PREFIX_BYTES]
    else:
        review = review_incoming(raw, max_bytes=limit)
    signed = _signature_of(raw) if review.decision != REJECT else None
    if signed is not None and signed.status == INVALID and not settings.YINGJI_CAP_ACCEPT_INVALID_SIGNATURE:
        review = IncomingReview(REJECT, reasons=[f"数字签名无效：{signed.detail}"], notes=review.notes)
    with audited_transaction():
        record = CapImport.objects.create(
            source=source, source_name=source_name[:300], feed=feed, decision=review.decision,
            signature=signed.status if signed else UNSIGNED, signature_detail=(signed.detail if signed else "")[:300],
            notes=review.notes, reasons=review.reasons, raw=raw, sha256=digest,
            imported_by=user if getattr(user, "pk", None) else None,
        )
        if review.decision != REJECT:
            originals = _alert_texts(raw)
            for alert in review.alerts:
                sender, identifier, sent = dedup_key(alert)
                existing = ImportedAlert.objects.filter(sender=sender[:200], identifier=identifier[:200], sent=sent).first()
                if existing is not None:
                    record.duplicate_alerts += 1
                    if record.signature == VALID and existing.signature != VALID:
                        _replace_with_signed(existing, alert, record, originals.get(dedup_key(alert), ""))
                    continue
                row = _alert_row(alert, record, synthetic, originals.get(dedup_key(alert), ""))
                row.signature = record.signature
                row.save()
                _link(row)
                record.new_alerts += 1
            record.save(update_fields=["new_alerts", "duplicate_alerts"])
        note = f"{record.get_decision_display()}：新增 {record.new_alerts}，重复 {record.duplicate_alerts}"
        if review.reasons:
            note += "；" + "；".join(review.reasons)
        records.log_event(user, "import", record, note=note, division_code=getattr(user, "region_code", "") or "")
    return record


def _signature_of(raw: bytes) -> SignatureCheck:
    pems = []
    if settings.YINGJI_CAP_TRUSTED_CERTS:
        with open(settings.YINGJI_CAP_TRUSTED_CERTS, encoding="ascii") as bundle:
            pems = split_pem_bundle(bundle.read())
    return verify_signature(raw, pems, max_bytes=settings.YINGJI_CAP_MAX_BYTES)


def _replace_with_signed(existing: ImportedAlert, alert, record: CapImport, cap_xml: str) -> None:
    """Two copies of one message: the validly signed one wins (its content, its original)."""
    fresh = _alert_row(alert, record, existing.is_synthetic, cap_xml)
    keep = {"id", "updates", "state"}
    for field in ImportedAlert._meta.concrete_fields:
        if field.name not in keep:
            setattr(existing, field.attname, getattr(fresh, field.attname))
    existing.signature = VALID
    existing.save()
    record.notes = [*record.notes, f"警报 {existing.identifier} 已有未经有效签名的副本，已以本条有效签名的报文为准"]
    record.save(update_fields=["notes"])


def _alert_texts(raw: bytes) -> dict:
    """CAP identity → the alert's own document as received (for re-export unchanged)."""
    texts = {}
    for document in alert_documents(raw):
        for alert in parse_cap(document):
            texts[dedup_key(alert)] = document_text(document)
    return texts


_DECLARED = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")


def document_encoding(document: bytes) -> str:
    found = _DECLARED.match(document)
    return found.group(1).decode("ascii") if found else "utf-8"


def document_text(document: bytes) -> str:
    """An XML document as text, decoded with the encoding its declaration names."""
    return document.decode(document_encoding(document))


def document_bytes(text: str) -> bytes:
    """The inverse of :func:`document_text`: the same bytes as were received."""
    return text.encode(document_encoding(text[:200].encode("ascii", "replace")))


# --- feeds -------------------------------------------------------------------------------------


def _fetch(url: str) -> bytes:
    """A feed or a CAP document it links: SSRF-guarded, size- and time-limited (core.outbound)."""
    return outbound.fetch(url, max_bytes=FEED_MAX_BYTES, allowed_hosts=settings.YINGJI_FEED_ALLOWED_HOSTS,
                          too_large=f"订阅源内容超过 {FEED_MAX_BYTES // 1024} KB，已拒绝")


def atom_cap_links(document: bytes, base_url: str) -> list[str]:
    """Links to CAP documents in an Atom feed (``link`` with a CAP type, else the entry link) or
    an RSS 2.0 feed (``enclosure`` with a CAP type, else the item's ``link``)."""
    root = safe_parse(document, max_bytes=FEED_MAX_BYTES).getroot()
    links = []
    if root.tag == "rss":
        for item in root.findall("channel/item")[:FEED_MAX_ENTRIES]:
            enclosures = [e.get("url") for e in item.findall("enclosure") if "cap" in (e.get("type") or "")]
            href = enclosures[0] if enclosures else (item.findtext("link") or "").strip()
            if href:
                links.append(urljoin(base_url, href))
        return links
    for entry in root.findall(f"{{{ATOM_NS}}}entry")[:FEED_MAX_ENTRIES]:
        candidates = entry.findall(f"{{{ATOM_NS}}}link")
        chosen = [l for l in candidates if "cap" in (l.get("type") or "")] or \
                 [l for l in candidates if l.get("rel") in (None, "alternate")]
        if chosen and chosen[0].get("href"):
            links.append(urljoin(base_url, chosen[0].get("href")))
    return links


def _feed_kind(document: bytes) -> str | None:
    """"Atom" or "RSS" when the document is a feed (whose items link CAP documents), else None."""
    try:
        root = safe_parse(document, max_bytes=FEED_MAX_BYTES).getroot()
    except CapXMLError:
        return None
    return {f"{{{ATOM_NS}}}feed": "Atom", "rss": "RSS"}.get(root.tag)


def poll_feed(feed: CapFeed) -> str:
    """Fetch a feed once: an Atom feed's linked CAP documents (already received ones are skipped
    by content hash) or a plain CAP document. Returns a one-line summary (kept on the feed)."""
    try:
        document = _fetch(feed.url)
        kind = _feed_kind(document)
        if kind:
            new = dup = rejected = 0
            for link in atom_cap_links(document, feed.url):
                raw = _fetch(link)
                if CapImport.objects.filter(sha256=hashlib.sha256(raw).hexdigest(), feed=feed).exists():
                    dup += 1
                    continue
                record = import_cap(raw, source="feed", source_name=link, feed=feed)
                new += record.new_alerts
                dup += record.duplicate_alerts
                rejected += record.decision == REJECT
            summary = f"{kind}：新增 {new}，重复 {dup}，拒收 {rejected}"
        else:
            if CapImport.objects.filter(sha256=hashlib.sha256(document).hexdigest(), feed=feed).exists():
                summary = "内容未变化"
            else:
                record = import_cap(document, source="feed", source_name=feed.url, feed=feed)
                summary = f"{record.get_decision_display()}：新增 {record.new_alerts}，重复 {record.duplicate_alerts}"
                if record.reasons:
                    summary += "；" + record.reasons[0]
    except (requests.RequestException, CapXMLError, OSError, outbound.OutboundRefused) as exc:
        summary = f"获取失败：{exc}"[:300]
    feed.last_polled_at = timezone.now()
    feed.last_result = summary[:300]
    feed.save(update_fields=["last_polled_at", "last_result"])
    return summary


def poll_due_feeds(now=None) -> int:
    now = now or timezone.now()
    polled = 0
    for feed in CapFeed.objects.filter(enabled=True):
        if feed.last_polled_at is None or (now - feed.last_polled_at).total_seconds() >= feed.interval_minutes * 60:
            poll_feed(feed)
            polled += 1
    return polled
