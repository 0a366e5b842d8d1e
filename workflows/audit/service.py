"""Appending to the audit log and reading a thing's history."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workflows.audit.chain import HMAC_SHA256, canonical_json, link_hash
from workflows.audit.keys import audit_key
from workflows.audit.models import GENESIS_HASH, AuditEvent, AuditHead

HEAD_ID = 1


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """JSON-native copy (dates as ISO text) so the stored row hashes the same when read back."""
    loaded: dict[str, Any] = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    return loaded


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | int,
    data: dict[str, Any],
    at: dt.datetime,
) -> AuditEvent:
    """Append one event in the caller's transaction (never logs raw ID numbers: mask first).

    The link is HMAC-SHA256 with the audit key of the session's settings (``audit.keys``).
    """
    key = audit_key(session)  # before touching the head: no key, no half-written append
    bumped = session.execute(
        update(AuditHead).where(AuditHead.id == HEAD_ID).values(seq=AuditHead.seq + 1)
    )
    if bumped.rowcount == 0:  # type: ignore[attr-defined]
        session.add(AuditHead(id=HEAD_ID, seq=1, last_hash=GENESIS_HASH))
        session.flush()
    seq, prev_hash = session.execute(
        select(AuditHead.seq, AuditHead.last_hash).where(AuditHead.id == HEAD_ID)
    ).one()
    payload = _plain(data)
    canonical = canonical_json(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        data=payload,
    )
    digest = link_hash(key, prev_hash, canonical)
    event = AuditEvent(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        data=payload,
        prev_hash=prev_hash,
        hash=digest,
        hash_version=HMAC_SHA256,
    )
    session.add(event)
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(last_hash=digest))
    session.flush()
    return event


def history(session: Session, *, entity_type: str, entity_id: str | int) -> Sequence[AuditEvent]:
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.seq)
    ).all()
