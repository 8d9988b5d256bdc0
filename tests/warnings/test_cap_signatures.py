"""Signed CAP: verified with signxml against the certificates the installation trusts, shown as
有效 / 无效 / 未签名; an invalid signature is refused by default; of two copies of one message
the validly signed one wins (issue 14)."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.utils import timezone
from lxml import etree

from yingji.cap import WarningArea, WarningMessage, build_cap
from yingji.warnings.imports import import_cap
from yingji.warnings.models import ImportedAlert

pytestmark = pytest.mark.django_db


def _key_and_cert(name: str):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def bureau():
    return _key_and_cert("辽宁省气象台（测试）")


@pytest.fixture(scope="module")
def stranger():
    return _key_and_cert("Someone else")


@pytest.fixture
def trusted(tmp_path, settings, bureau):
    bundle = tmp_path / "trusted.pem"
    bundle.write_bytes(bureau[1])
    settings.YINGJI_CAP_TRUSTED_CERTS = str(bundle)
    return bundle


def _message(identifier_seed: int = 0) -> bytes:
    when = timezone.now().replace(microsecond=0) + dt.timedelta(seconds=identifier_seed)
    return build_cap(WarningMessage(
        sender_code="21000041600000", sender_name="辽宁省气象台", category="Met", event="暴雨", level=3,
        sent=when, effective=when, onset=None, expires=when + dt.timedelta(days=1),
        areas=[WarningArea(desc="阜新市", division_codes=["210900000000"])],
        description="示例：预计有暴雨。", instruction="注意防范。"))


def _signed(raw: bytes, key_and_cert) -> bytes:
    from signxml import XMLSigner

    root = etree.fromstring(raw)
    signed = XMLSigner().sign(root, key=key_and_cert[0], cert=key_and_cert[1].decode())
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def test_unsigned_message_is_accepted_and_said_so(trusted):
    record = import_cap(_message(), source="upload")
    assert record.decision == "accept" and record.get_signature_display() == "未签名"
    assert ImportedAlert.objects.get().get_signature_display() == "未签名"


def test_message_signed_by_a_trusted_certificate_is_valid(trusted, bureau):
    record = import_cap(_signed(_message(), bureau), source="upload")
    assert record.decision != "reject", record.reasons
    assert record.signature == "valid" and ImportedAlert.objects.get().signature == "valid"


def test_tampered_or_untrusted_signatures_are_refused(trusted, bureau, stranger):
    signed = _signed(_message(), bureau)
    tampered = signed.replace("预计有暴雨".encode(), "预计无雨".encode())
    record = import_cap(tampered, source="upload")
    assert record.decision == "reject" and record.signature == "invalid"
    assert record.reasons[0].startswith("数字签名无效")
    record = import_cap(_signed(_message(1), stranger), source="upload")
    assert record.decision == "reject" and record.signature == "invalid"
    assert not ImportedAlert.objects.exists()


def test_invalid_signature_can_be_accepted_when_configured(trusted, stranger, settings):
    settings.YINGJI_CAP_ACCEPT_INVALID_SIGNATURE = True
    record = import_cap(_signed(_message(), stranger), source="upload")
    assert record.decision != "reject" and ImportedAlert.objects.get().get_signature_display() == "无效"


def test_the_validly_signed_copy_wins(trusted, bureau, client, make_user):
    from tests.conftest import PASSWORD

    raw = _message()
    import_cap(raw, source="feed")
    alert = ImportedAlert.objects.get()
    assert alert.signature == "unsigned"
    second = import_cap(_signed(raw, bureau), source="upload")
    assert second.duplicate_alerts == 1 and "有效签名" in "".join(second.notes)
    alert.refresh_from_db()
    assert ImportedAlert.objects.count() == 1 and alert.signature == "valid" and alert.cap_import == second
    assert b"Signature" in alert.cap_xml.encode()
    make_user("sig_reader", "duty_officer")
    assert client.login(username="sig_reader", password=PASSWORD)
    page = client.get(f"/warnings/imported/{alert.pk}/").content.decode()
    assert '<dd data-testid="signature">有效' in page


def test_without_a_trust_list_signed_messages_are_kept_as_unverified(settings, bureau):
    settings.YINGJI_CAP_TRUSTED_CERTS = ""
    record = import_cap(_signed(_message(), bureau), source="upload")
    assert record.decision != "reject" and record.get_signature_display() == "未核验"
