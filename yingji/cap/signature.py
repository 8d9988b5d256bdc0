"""XML signatures on CAP messages (CAP 1.2 §3.3.2.1: an enveloped XML-Signature inside
``<alert>``), verified with signxml.

Outcomes: ``valid`` — the signature verifies against one of the certificates the installation
trusts; ``invalid`` — a signature is present but does not verify, or it was made with a key the
installation does not trust; ``unsigned`` — no signature; ``unverified`` — signed, but the
installation has no trusted certificates configured, so nobody can say whose signature it is
(real feeds sign with certificates that have long expired or with bare RSA keys: without a
configured trust list such messages are kept, marked 未核验, rather than refused). Integrity alone (a message signed with any key it carries itself)
is not enough to be called valid: anyone can make such a signature.

Pure (no Django): the caller passes the trusted certificates (PEM).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .safe_xml import DEFAULT_MAX_BYTES, safe_parse

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
VALID, INVALID, UNSIGNED, UNVERIFIED = "valid", "invalid", "unsigned", "unverified"
LABELS = {VALID: "有效", INVALID: "无效", UNSIGNED: "未签名", UNVERIFIED: "未核验"}


@dataclass(frozen=True)
class SignatureCheck:
    status: str
    detail: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.status]


def is_signed(xml_bytes: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> bool:
    root = safe_parse(xml_bytes, max_bytes=max_bytes).getroot()
    return root.find(f".//{{{DS_NS}}}Signature") is not None


def verify_signature(xml_bytes: bytes, trusted_pems: list[str], max_bytes: int = DEFAULT_MAX_BYTES) -> SignatureCheck:
    """Check the enveloped signature of a CAP document against the trusted certificates."""
    from signxml import XMLVerifier
    from signxml.exceptions import InvalidInput, InvalidSignature

    root = safe_parse(xml_bytes, max_bytes=max_bytes).getroot()  # refuses hostile XML first
    if root.find(f".//{{{DS_NS}}}Signature") is None:
        return SignatureCheck(UNSIGNED)
    if not trusted_pems:
        return SignatureCheck(UNVERIFIED, "本平台未配置受信任的签名证书，签名未核验")
    problems = []
    for pem in trusted_pems:
        try:
            XMLVerifier().verify(etree.tostring(root), x509_cert=pem)
            return SignatureCheck(VALID, "签名与受信任证书相符，内容未被篡改")
        except (InvalidSignature, InvalidInput) as exc:
            problems.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - malformed signatures raise many kinds; never a 500
            problems.append(f"{type(exc).__name__}: {exc}")
    return SignatureCheck(INVALID, "签名校验失败（内容被改动，或签名者不在受信任证书之列）：" + (problems[0][:200] if problems else ""))


def split_pem_bundle(text: str) -> list[str]:
    """The certificates of a PEM bundle, one string each."""
    marker = "-----END CERTIFICATE-----"
    return [part.strip() + "\n" + marker + "\n" for part in text.split(marker) if "BEGIN CERTIFICATE" in part]
