"""Walk the audit chain and name the first broken link (HMAC with the audit key)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.audit.chain import HMAC_SHA256, canonical_json, link_hash, same_hash
from workflows.audit.keys import audit_key
from workflows.audit.models import GENESIS_HASH, AuditEvent, AuditHead


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def canonical_of(event: AuditEvent) -> str:
    return canonical_json(
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        action=event.action,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        data=event.data,
    )


UNSEALED = "记录未用审计密钥签名(旧版哈希),请先运行 python -m workflows reseal-audit"
TAMPERED = "记录内容与其哈希不符(内容被改动,或哈希不是用本系统的审计密钥计算的)"


def verify_chain(session: Session, *, batch: int = 1000) -> ChainReport:
    key = audit_key(session)
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    rows = session.execute(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    ).scalars()
    for event in rows:
        if event.seq != expected_seq:
            return ChainReport(
                checked, expected_seq, f"缺少第 {expected_seq} 条记录(下一条为第 {event.seq} 条)"
            )
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.seq, "前一条的哈希与本条记录的 prev_hash 不符")
        if event.hash_version != HMAC_SHA256:
            return ChainReport(checked, event.seq, UNSEALED)
        if not same_hash(link_hash(key, event.prev_hash, canonical_of(event)), event.hash):
            return ChainReport(checked, event.seq, TAMPERED)
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != checked or head.last_hash != expected_prev):
        return ChainReport(
            checked, checked + 1, f"链尾记录缺失:应有 {head.seq} 条,实有 {checked} 条"
        )
    return ChainReport(checked)
