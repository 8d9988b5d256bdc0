"""Find the CAP alerts inside a parsed document: a bare alert, an EDXL-DE envelope, or a
``<alerts>`` wrapper (non-standard, published by e.g. SMHI) holding several alerts."""

from __future__ import annotations

from typing import NamedTuple

from lxml import etree

from .errors import CapParseError
from .model import CAP10_NS, CAP_NAMESPACES, EDXL_DE_NS

BARE_ALERT = "alert"
EDXL_DE = "edxl-de"
ALERTS_WRAPPER = "alerts-wrapper"


class LocatedAlerts(NamedTuple):
    container: str
    alerts: list[etree._Element]


def split_tag(element: etree._Element) -> tuple[str, str]:
    """``(namespace, local_name)`` of an element; namespace is "" when absent."""
    qname = etree.QName(element)
    return qname.namespace or "", qname.localname


def cap_version_of(element: etree._Element) -> str | None:
    """"1.2" / "1.1" for a CAP ``alert`` element, else None."""
    namespace, local = split_tag(element)
    if local != "alert":
        return None
    return CAP_NAMESPACES.get(namespace)


def _cap_alert_descendants(root: etree._Element) -> list[etree._Element]:
    return [
        element
        for element in root.iter(etree.Element)
        if cap_version_of(element) is not None
    ]


def _reject_root(root: etree._Element) -> CapParseError:
    namespace, local = split_tag(root)
    if namespace == CAP10_NS:
        return CapParseError("不支持的 CAP 版本：CAP 1.0 消息（仅接收 CAP 1.1 和 1.2）")
    if local == "alert":
        shown = namespace or "（无命名空间）"
        return CapParseError(
            f"命名空间错误：{shown} 不是 CAP 命名空间"
            "（应为 urn:oasis:names:tc:emergency:cap:1.2 或 …:cap:1.1）"
        )
    return CapParseError(f"不是 CAP 消息：根元素为 <{local}>，应为 CAP <alert> 或 EDXL-DE 信封")


def locate_alerts(root: etree._Element) -> LocatedAlerts:
    """Return the CAP ``alert`` elements of a document, with the kind of container."""
    if cap_version_of(root) is not None:
        return LocatedAlerts(BARE_ALERT, [root])
    namespace, local = split_tag(root)
    if namespace == EDXL_DE_NS and local == "EDXLDistribution":
        alerts = _cap_alert_descendants(root)
        if not alerts:
            raise CapParseError("EDXL-DE 信封中没有嵌入的 CAP 警报（不支持 base64 形式的 contentData）")
        return LocatedAlerts(EDXL_DE, alerts)
    if namespace in CAP_NAMESPACES and local == "alerts":
        alerts = [child for child in root if cap_version_of(child) is not None]
        if not alerts:
            raise CapParseError("<alerts> 包装中没有 CAP 警报")
        return LocatedAlerts(ALERTS_WRAPPER, alerts)
    raise _reject_root(root)
