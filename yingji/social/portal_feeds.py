"""The portal's Atom feed of published warnings, built with Django's syndication framework
(django.contrib.syndication): each entry links the warning on the portal and carries its CAP
1.2 document as an enclosure, so feed readers and other agencies' CAP aggregators can follow it."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure

from yingji.regions.services import name_of
from yingji.rules import warning_workflow as wf
from yingji.warnings.models import Warning

from .selectors import city_prefix

PUBLIC_STATES = (wf.PUBLISHED, wf.SUPERSEDED, wf.LIFTED)


class WarningFeed(Feed):
    feed_type = Atom1Feed
    description_template = None

    def title(self):
        return f"{name_of(city_prefix().ljust(12, '0'))}突发事件预警信息"

    def link(self):
        return reverse("portal:warnings")

    def subtitle(self):
        return "预警信息发布（CAP 1.2 报文见各条目附件）"

    def items(self):
        return Warning.objects.filter(state__in=PUBLIC_STATES, cap_status="Actual").order_by("-sent")[:100]

    def item_title(self, item):
        return f"【{item.get_level_display()}】{item.title}"

    def item_description(self, item):
        return f"{item.area_desc}：{item.description}\n防御指南：{item.instruction}"

    def item_link(self, item):
        return reverse("portal:warnings") + f"#w{item.pk}"

    def item_guid(self, item):
        return f"urn:cap:{item.sender_code}:{item.identifier}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.sent

    def item_updateddate(self, item):
        return item.sent

    def item_author_name(self, item):
        return item.sender_name

    def item_categories(self, item):
        return [item.get_level_display()]

    def item_enclosures(self, item):
        url = self.request.build_absolute_uri(reverse("warnings:cap-public", args=[item.identifier]))
        return [Enclosure(url, str(len(item.cap_xml.encode())), "application/cap+xml")]

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)
