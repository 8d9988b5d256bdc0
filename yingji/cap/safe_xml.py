"""Hardened XML parsing for messages that arrive from outside.

CAP messages come from feeds, uploads and partner systems, so every byte is untrusted.
:func:`safe_parse` refuses, with a Chinese reason a person can act on:

* any document type declaration (``<!DOCTYPE``) and any entity declaration — this shuts out
  XXE file reads, external DTDs and entity-expansion bombs ("billion laughs") in one rule,
  since a CAP message never needs a DTD;
* documents larger than ``max_bytes``;
* anything that would make the parser touch the network or the file system.

The parser is lxml with ``resolve_entities=False``, ``no_network=True``, ``load_dtd=False``
and ``huge_tree=False``; the DOCTYPE rule is checked twice, on the raw bytes before parsing and
on the parsed document afterwards, so an unusual encoding cannot sneak one past the first check.
"""

from __future__ import annotations

from lxml import etree

from .errors import HostileXMLError, MalformedXMLError

DEFAULT_MAX_BYTES = 2 * 1024 * 1024

# "<!DOCTYPE" / "<!ENTITY" as they appear in ASCII-compatible encodings and in UTF-16.
_FORBIDDEN_MARKUP = (b"<!DOCTYPE", b"<!ENTITY")


def _utf16_forms(marker: bytes) -> tuple[bytes, bytes]:
    text = marker.decode("ascii")
    return text.encode("utf-16-le"), text.encode("utf-16-be")


def _contains_forbidden_markup(xml_bytes: bytes) -> bool:
    upper = xml_bytes.upper()
    for marker in _FORBIDDEN_MARKUP:
        if marker in upper:
            return True
        if any(form in upper for form in _utf16_forms(marker)):
            return True
    return False


def _hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def _has_doctype(tree: etree._ElementTree) -> bool:
    docinfo = tree.docinfo
    return bool(docinfo.doctype) or docinfo.internalDTD is not None or docinfo.externalDTD is not None


def _has_entity_references(root: etree._Element) -> bool:
    return any(isinstance(node, etree._Entity) for node in root.iter())


def safe_parse(xml_bytes: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._ElementTree:
    """Parse untrusted XML bytes into an lxml tree, or raise :class:`CapXMLError`.

    Raises :class:`HostileXMLError` for a DOCTYPE/ENTITY declaration or an oversized document,
    :class:`MalformedXMLError` for XML that is not well-formed, and :class:`TypeError` when
    given ``str`` (the encoding declaration only makes sense on bytes).
    """
    if not isinstance(xml_bytes, (bytes, bytearray, memoryview)):
        raise TypeError("safe_parse expects bytes; encode text before parsing")
    xml_bytes = bytes(xml_bytes)
    if len(xml_bytes) > max_bytes:
        raise HostileXMLError(
            f"拒绝：文档大小 {len(xml_bytes)} 字节，超过上限 {max_bytes} 字节"
        )
    if not xml_bytes.strip():
        raise MalformedXMLError("XML 格式错误：文档为空")
    if _contains_forbidden_markup(xml_bytes):
        raise HostileXMLError(
            "拒绝：文档含 DOCTYPE 或 ENTITY 声明（CAP 消息不需要 DTD；为防 XXE 和实体膨胀攻击一律拒收）"
        )
    try:
        tree = etree.ElementTree(etree.fromstring(xml_bytes, parser=_hardened_parser()))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        raise MalformedXMLError(f"XML 格式错误（第{line}行）：{exc.msg}") from exc
    if _has_doctype(tree) or _has_entity_references(tree.getroot()):
        raise HostileXMLError("拒绝：文档含 DOCTYPE 声明或实体引用")
    return tree
