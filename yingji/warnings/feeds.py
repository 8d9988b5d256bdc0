"""The public Atom feed of published warnings (each entry links its CAP document), and the
background poller of configured CAP feeds of other agencies."""

from __future__ import annotations

import logging
import threading

from django.urls import reverse
from django.utils import timezone
from lxml import etree

from yingji.cap.times import format_beijing_time
from yingji.jobs.services import run_periodically

from .imports import poll_due_feeds

ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MIME = "application/cap+xml"
log = logging.getLogger(__name__)


def _add(parent, name: str, text: str | None = None, **attrs):
    element = etree.SubElement(parent, f"{{{ATOM_NS}}}{name}", **attrs)
    if text is not None:
        element.text = text
    return element


def atom_feed(warnings, base_url: str, title: str) -> bytes:
    """Atom 1.0 (RFC 4287) with one entry per published warning, newest first."""
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    feed_url, public_url = base_url + reverse("warnings:feed"), base_url + reverse("warnings:public")
    _add(feed, "id", feed_url)
    _add(feed, "title", title)
    updated = max((w.sent for w in warnings), default=timezone.now())
    _add(feed, "updated", format_beijing_time(updated))
    _add(feed, "link", rel="self", href=feed_url, type="application/atom+xml")
    _add(feed, "link", rel="alternate", href=public_url, type="text/html")
    for warning in warnings:
        entry = _add(feed, "entry")
        _add(entry, "id", f"urn:cap:{warning.sender_code}:{warning.identifier}")
        _add(entry, "title", warning.title)
        _add(entry, "updated", format_beijing_time(warning.sent))
        _add(entry, "published", format_beijing_time(warning.sent))
        author = _add(entry, "author")
        _add(author, "name", warning.sender_name)
        _add(entry, "summary", f"{warning.area_desc}：{warning.description}")
        _add(entry, "link", rel="alternate", type=CAP_MIME, href=base_url + reverse("warnings:cap-public", args=[warning.identifier]))
        _add(entry, "link", rel="related", type="text/html", href=f"{public_url}#w{warning.pk}")
        _add(entry, "category", term=warning.get_level_display())
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(feed, encoding="UTF-8", pretty_print=True)


def start_feed_poller(stop: threading.Event, every_s: float = 30.0) -> threading.Thread:
    return run_periodically("yingji-cap-feeds", every_s, poll_due_feeds, stop)
