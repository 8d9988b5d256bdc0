"""Hostile inputs against safe_parse: XXE, billion laughs, external DTDs, oversize."""

import pytest

from yingji.cap import HostileXMLError, MalformedXMLError, parse_cap, safe_parse, validate_cap
from yingji.cap.safe_xml import _hardened_parser

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"


def _xxe_document(target: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE alert [<!ENTITY xxe SYSTEM "{target}">]>\n'
        f'<alert xmlns="{CAP_NS}"><identifier>&xxe;</identifier></alert>'
    ).encode()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b']>\n<lolz>&lol9;</lolz>'
)


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-TOKEN")
    return path


def test_xxe_file_read_is_refused(secret_file):
    with pytest.raises(HostileXMLError, match="DOCTYPE"):
        safe_parse(_xxe_document(secret_file.as_uri()))


def test_billion_laughs_is_refused():
    with pytest.raises(HostileXMLError, match=r"拒绝：文档含 DOCTYPE 或 ENTITY "):
        safe_parse(BILLION_LAUGHS)


def test_external_dtd_is_refused():
    document = (
        b'<?xml version="1.0"?>\n<!DOCTYPE alert SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
        b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>'
    )
    with pytest.raises(HostileXMLError, match=r"拒绝：文档含 DOCTYPE 或 ENTITY "):
        safe_parse(document)


def test_parameter_entity_is_refused(secret_file):
    document = (
        f'<!DOCTYPE a [<!ENTITY % p SYSTEM "{secret_file.as_uri()}"> %p;]><a/>'
    ).encode()
    with pytest.raises(HostileXMLError, match=r"拒绝：文档含 DOCTYPE 或 ENTITY "):
        safe_parse(document)


def test_lowercase_doctype_is_refused():
    with pytest.raises(HostileXMLError, match=r"拒绝：文档含 DOCTYPE 或 ENTITY "):
        safe_parse(b"<!doctype a><a/>")


def test_utf16_doctype_is_refused(secret_file):
    document = _xxe_document(secret_file.as_uri()).decode().replace(
        'version="1.0"', 'version="1.0" encoding="UTF-16"'
    )
    with pytest.raises(HostileXMLError, match=r"拒绝：文档含 DOCTYPE 或 ENTITY "):
        safe_parse(document.encode("utf-16"))


def test_oversized_document_is_refused():
    document = b"<a>" + b"x" * 2000 + b"</a>"
    with pytest.raises(HostileXMLError, match="超过上限"):
        safe_parse(document, max_bytes=1000)
    assert safe_parse(document, max_bytes=5000).getroot().text == "x" * 2000


def test_parser_itself_never_resolves_entities_or_loads_dtds(secret_file, tmp_path):
    """Defence in depth: even without the DOCTYPE pre-check, nothing is read from disk."""
    from lxml import etree

    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY leak SYSTEM "{secret_file.as_uri()}">')
    for document in (
        _xxe_document(secret_file.as_uri()),
        f'<!DOCTYPE a SYSTEM "{dtd.as_uri()}"><a>&leak;</a>'.encode(),
    ):
        try:
            root = etree.fromstring(document, parser=_hardened_parser())
        except etree.XMLSyntaxError:
            continue  # refusing is also fine
        assert "TOP-SECRET-TOKEN" not in etree.tostring(root, encoding="unicode")


def test_hostile_input_is_reported_not_raised_by_validate_and_raised_by_parse(secret_file):
    result = validate_cap(_xxe_document(secret_file.as_uri()))
    assert not result.valid and result.version is None
    assert result.errors[0].startswith("拒绝")
    with pytest.raises(HostileXMLError, match=r"拒绝：文档含 DOCTYPE 或 ENTITY "):
        parse_cap(BILLION_LAUGHS)


def test_malformed_xml_names_the_line():
    with pytest.raises(MalformedXMLError, match="第3行"):
        safe_parse(b"<a>\n<b>\n</a>")


def test_empty_and_text_input():
    with pytest.raises(MalformedXMLError, match=r"XML 格式错误：文档为空"):
        safe_parse(b"   ")
    with pytest.raises(TypeError, match=r"safe_parse expects bytes"):
        safe_parse("<a/>")
