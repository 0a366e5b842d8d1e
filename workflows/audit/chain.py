"""The hash of one audit row: sha256(previous hash + canonical JSON of the row)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any


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


def link_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()
