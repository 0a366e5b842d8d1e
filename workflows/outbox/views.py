"""Outbox API for channel workers (internal callers only)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from workflows.auth.deps import InternalCaller
from workflows.deps import ClockDep, IdPath, SessionDep
from workflows.outbox import service
from workflows.outbox.enums import OutboxStatus
from workflows.outbox.schemas import ClaimedOut, ClaimIn, DeliveredOut, FailedIn, FailedOut

router = APIRouter(tags=["outbox"])

_NOT_FOUND = HTTPException(status_code=404, detail="通知不存在")


@router.post("/api/outbox/claim", response_model=list[ClaimedOut])
def claim(
    body: ClaimIn, _: InternalCaller, session: SessionDep, clock: ClockDep
) -> list[ClaimedOut]:
    messages = service.claim(
        session,
        channel=body.channel,
        limit=body.limit,
        lease_seconds=body.lease_seconds,
        now=clock.now(),
    )
    session.commit()
    return [
        ClaimedOut(
            id=m.id,
            channel=m.channel,
            channel_user_id=m.channel_user_id,
            text=m.text,
            application_number=m.application_number,
            attempts=m.attempts,
        )
        for m in messages
    ]


@router.post("/api/outbox/{message_id}/delivered", response_model=DeliveredOut)
def delivered(
    message_id: IdPath, _: InternalCaller, session: SessionDep, clock: ClockDep
) -> DeliveredOut:
    message = service.get(session, message_id=message_id)
    if message is None:
        raise _NOT_FOUND
    service.mark_delivered(session, message=message, now=clock.now())
    session.commit()
    return DeliveredOut(id=message.id, status=message.status)


@router.post("/api/outbox/{message_id}/failed", response_model=FailedOut)
def failed(
    message_id: IdPath, body: FailedIn, _: InternalCaller, session: SessionDep, clock: ClockDep
) -> FailedOut:
    message = service.get(session, message_id=message_id)
    if message is None:
        raise _NOT_FOUND
    service.mark_failed(
        session,
        message=message,
        error=body.error,
        retry_after_seconds=body.retry_after_seconds,
        now=clock.now(),
    )
    session.commit()
    pending = message.status == OutboxStatus.PENDING.value
    return FailedOut(
        id=message.id,
        status=message.status,
        next_attempt_at=message.next_attempt_at if pending else None,
    )
