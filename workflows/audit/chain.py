"""The hash of one audit row.

Version 2 (every new row): HMAC-SHA256(settings.audit_hmac_key, previous hash + canonical JSON).
The key never enters the database, so whoever can write the table cannot recompute a chain
that verifies. Version 1 (rows written before migration 0007): plain SHA-256 over the same
text; ``python -m workflows reseal-audit`` checks those and re-seals them with the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

LEGACY_SHA256 = 1
HMAC_SHA256 = 2


def canonical_json(
    *,
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    data: dict[str, Any],
) -> str:
    body = {
        "seq": seq,
        "at": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "data": data,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def legacy_link_hash(prev_hash: str, canonical: str) -> str:
    """Version 1: unkeyed, recomputable by anyone (only to check rows before a re-seal)."""
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def link_hash(key: bytes, prev_hash: str, canonical: str) -> str:
    """Version 2: keyed with the audit HMAC key."""
    return hmac.new(key, (prev_hash + canonical).encode("utf-8"), hashlib.sha256).hexdigest()


def same_hash(expected: str, stored: str) -> bool:
    return hmac.compare_digest(expected.encode(), (stored or "").encode())
