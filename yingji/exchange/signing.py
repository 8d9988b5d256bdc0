"""Signing of exchange envelopes: HMAC-SHA256 with the credential the parent issued.

The parent issues each child a credential ``yjx1.<key id>.<secret>``; both ends keep the secret.
Each direction signs with its own key derived from it (``HMAC(secret, "yingji-exchange/1 up")``
and ``... down``), so a message cannot be reflected back as if the other side had sent it. The
signature covers the canonical JSON of the batch (keys sorted, no spaces, UTF-8), so the same
envelope verifies whether it came over HTTP or in a file. Comparison is constant-time.
No Django here: the CLI's file import and the HTTP endpoint share it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

PROTOCOL = "yingji-exchange/1"
PREFIX = "yjx1"


class CredentialError(ValueError):
    """A credential that is not of the form the parent issues."""


class SignatureError(ValueError):
    """An envelope whose signature does not verify, or that is not an envelope at all."""


def new_credential() -> tuple[str, str, str]:
    """(key id, secret, credential text) for a new child."""
    key_id = secrets.token_hex(8)
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    return key_id, secret, f"{PREFIX}.{key_id}.{secret}"


def parse_credential(text: str) -> tuple[str, str]:
    """(key id, secret) of a credential; raises CredentialError."""
    parts = (text or "").strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 16 or len(parts[2]) < 40:
        raise CredentialError("凭据格式不正确：请粘贴上级平台签发的完整凭据（三段，以圆点分隔）")
    return parts[1], parts[2]


def canonical(batch: dict) -> bytes:
    return json.dumps(batch, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _key(secret: str, direction: str) -> bytes:
    return hmac.new(secret.encode(), f"{PROTOCOL} {direction}".encode(), hashlib.sha256).digest()


def sign(batch: dict, secret: str) -> dict:
    """The envelope ``{"batch": ..., "signature": hex}``; the batch names its direction."""
    mac = hmac.new(_key(secret, batch["direction"]), canonical(batch), hashlib.sha256).hexdigest()
    return {"batch": batch, "signature": mac}


def verify(envelope: dict, secret: str, direction: str) -> dict:
    """The batch of a verified envelope sent in ``direction``; raises SignatureError."""
    batch, mac = envelope.get("batch"), envelope.get("signature")
    if not isinstance(batch, dict) or not isinstance(mac, str):
        raise SignatureError("报文格式不正确：缺少 batch 或 signature")
    if batch.get("protocol") != PROTOCOL or batch.get("direction") != direction:
        raise SignatureError(f"报文协议或方向不符（应为 {PROTOCOL}，{'上报' if direction == 'up' else '下发'}）")
    expected = hmac.new(_key(secret, direction), canonical(batch), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, mac):
        raise SignatureError("签名校验失败：报文不是持有该凭据的平台发出的，或已被改动")
    return batch
