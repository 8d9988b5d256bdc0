"""The audit log as a hash chain (pure: no Django).

Each entry carries a sequence number, the hash of the entry before it and its own hash:

    entry_hash = HMAC-SHA256(key, canonical JSON of the entry's content, its seq and prev_hash)

so that editing an entry changes its hash, deleting one leaves a gap in the sequence and a
``prev_hash`` that no longer matches, and inserting one by hand needs the key — which lives with
the application (``YINGJI_AUDIT_KEY``), not in the database. Verification walks the chain in
sequence order and reports the first broken link.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Iterable, Mapping

GENESIS = "0" * 64
# The fields that are hashed, in this order (the database row's names).
HASHED_FIELDS = ("seq", "at", "actor_id", "actor_name", "address", "action", "model", "object_id",
                 "object_repr", "division_code", "before", "after", "changed_fields", "note", "prev_hash")


def canonical(content: Mapping) -> bytes:
    return json.dumps({k: content.get(k) for k in HASHED_FIELDS}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), default=str).encode("utf-8")


def digest(key: str, content: Mapping) -> str:
    return hmac.new(key.encode("utf-8"), canonical(content), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    broken_id: int | None = None
    broken_seq: int | None = None
    reason: str = ""

    def as_dict(self) -> dict:
        return {"ok": self.ok, "checked": self.checked, "broken_id": self.broken_id,
                "broken_seq": self.broken_seq, "reason": self.reason}


def verify(key: str, rows: Iterable[Mapping]) -> Verdict:
    """Walk entries ordered by (seq, id) — rows without a seq come first — and stop at the first
    entry that is not the next link of the chain."""
    previous_hash, expected_seq, checked = GENESIS, 1, 0
    for row in rows:
        rid, seq = row.get("id"), row.get("seq")
        if seq is None:
            return Verdict(False, checked, rid, None, f"记录 {rid} 不在链中（没有序号，疑似绕过系统直接插入）")
        if seq != expected_seq:
            what = f"缺少序号 {expected_seq}–{seq - 1} 的记录（疑似被删除）" if seq > expected_seq else f"序号 {seq} 重复"
            return Verdict(False, checked, rid, seq, what)
        if row.get("prev_hash") != previous_hash:
            return Verdict(False, checked, rid, seq, f"序号 {seq} 的前序哈希与上一条不符（链被改动）")
        if not hmac.compare_digest(row.get("entry_hash") or "", digest(key, row)):
            return Verdict(False, checked, rid, seq, f"序号 {seq} 的内容与其哈希不符（记录被修改或伪造）")
        previous_hash, expected_seq, checked = row["entry_hash"], seq + 1, checked + 1
    return Verdict(True, checked)
