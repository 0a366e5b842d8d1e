"""Re-seal the chain with the audit key: rows of version 1 (plain SHA-256, written before
migration 0007) and rows of version 2 are first checked link by link; only an intact chain is
re-sealed. Run as the schema owner (the runtime role may not UPDATE audit rows)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workflows.audit.chain import (
    HMAC_SHA256,
    LEGACY_SHA256,
    legacy_link_hash,
    link_hash,
    same_hash,
)
from workflows.audit.keys import audit_key
from workflows.audit.models import GENESIS_HASH, AuditEvent, AuditHead
from workflows.audit.protection import updates_allowed
from workflows.audit.verify import ChainReport, canonical_of


@dataclass(frozen=True)
class ResealResult:
    report: ChainReport  # the check before re-sealing; nothing changed unless ok
    resealed: int = 0
    legacy: int = 0


def _check(session: Session, key: bytes) -> tuple[ChainReport, list[AuditEvent]]:
    events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    expected_prev = GENESIS_HASH
    for index, event in enumerate(events):
        if event.seq != index + 1:
            return ChainReport(index, index + 1, f"缺少第 {index + 1} 条记录"), events
        if event.prev_hash != expected_prev:
            return ChainReport(index, event.seq, "前一条的哈希与本条记录的 prev_hash 不符"), events
        canonical = canonical_of(event)
        if event.hash_version == LEGACY_SHA256:
            expected = legacy_link_hash(event.prev_hash, canonical)
        else:
            expected = link_hash(key, event.prev_hash, canonical)
        if not same_hash(expected, event.hash):
            return ChainReport(index, event.seq, "记录内容与其哈希不符(内容被改动)"), events
        expected_prev = event.hash
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != len(events) or head.last_hash != expected_prev):
        return ChainReport(len(events), len(events) + 1, "链尾记录缺失"), events
    return ChainReport(len(events)), events


def reseal(session: Session) -> ResealResult:
    """Check, then re-seal every row with HMAC in the caller's transaction (caller commits)."""
    key = audit_key(session)
    report, events = _check(session, key)
    if not report.ok:
        return ResealResult(report)
    legacy = sum(1 for event in events if event.hash_version == LEGACY_SHA256)
    rows = [
        (event.id, event.seq, canonical_of(event)) for event in events
    ]  # read before any change
    prev = GENESIS_HASH
    connection = session.connection()
    with updates_allowed(connection):
        for row_id, _seq, canonical in rows:
            digest = link_hash(key, prev, canonical)
            connection.execute(
                update(AuditEvent)
                .where(AuditEvent.id == row_id)
                .values(prev_hash=prev, hash=digest, hash_version=HMAC_SHA256)
            )
            prev = digest
        if rows:
            connection.execute(
                update(AuditHead).where(AuditHead.id == 1).values(seq=len(rows), last_hash=prev)
            )
    session.expire_all()
    return ResealResult(report, resealed=len(rows), legacy=legacy)
