"""Enqueue, claim with a lease, acknowledge delivery or failure (retries with backoff)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from workflows.outbox.enums import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_MAX_SECONDS,
    MAX_ATTEMPTS,
    OutboxStatus,
)
from workflows.outbox.models import OutboxMessage


def enqueue(
    session: Session,
    *,
    channel: str,
    channel_user_id: str | None,
    text: str,
    now: dt.datetime,
    application_id: int | None = None,
    application_number: str | None = None,
    case_id: int | None = None,
    handoff_message_id: int | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        channel=channel,
        channel_user_id=channel_user_id,
        text=text,
        application_id=application_id,
        application_number=application_number,
        case_id=case_id,
        handoff_message_id=handoff_message_id,
        status=OutboxStatus.PENDING.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message


def backoff_seconds(attempts: int) -> int:
    return int(min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1)))


def _due(
    channel: str, now: dt.datetime, channel_user_id: str | None = None
) -> list[ColumnElement[bool]]:
    recipient = (
        [] if channel_user_id is None else [OutboxMessage.channel_user_id == channel_user_id]
    )
    return [
        *recipient,
        OutboxMessage.channel == channel,
        OutboxMessage.status == OutboxStatus.PENDING.value,
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until <= now),
    ]


def claim(
    session: Session,
    *,
    channel: str,
    limit: int,
    lease_seconds: int,
    now: dt.datetime,
    channel_user_id: str | None = None,
) -> list[OutboxMessage]:
    """Lease up to ``limit`` due messages (only ``channel_user_id``'s when given); an expired
    lease counts as a failed attempt.

    Each lease is taken by a compare-and-set UPDATE on (id, attempts) while still due, so two
    workers never hold the same message, also on SQLite where FOR UPDATE does not exist.
    """
    candidates = session.execute(
        select(OutboxMessage.id, OutboxMessage.attempts)
        .where(*_due(channel, now, channel_user_id))
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    lease_until = now + dt.timedelta(seconds=lease_seconds)
    claimed_ids = []
    for message_id, attempts in candidates:
        taken = and_(OutboxMessage.id == message_id, OutboxMessage.attempts == attempts)
        if attempts >= MAX_ATTEMPTS:  # its last lease expired unacknowledged
            session.execute(
                update(OutboxMessage)
                .where(taken, *_due(channel, now, channel_user_id))
                .values(
                    status=OutboxStatus.DEAD.value,
                    lease_until=None,
                    last_error=func.coalesce(OutboxMessage.last_error, "lease expired"),
                )
            )
            continue
        result = session.execute(
            update(OutboxMessage)
            .where(taken, *_due(channel, now, channel_user_id))
            .values(attempts=attempts + 1, lease_until=lease_until)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed_ids.append(message_id)
    if not claimed_ids:
        return []
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(claimed_ids))
            .order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        )
    )


def get(session: Session, *, message_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, message_id, with_for_update=True)


def mark_delivered(session: Session, *, message: OutboxMessage, now: dt.datetime) -> None:
    """Idempotent: a delivered message stays delivered, with its first delivery time."""
    if message.status == OutboxStatus.DELIVERED.value:
        return
    message.status = OutboxStatus.DELIVERED.value
    message.delivered_at = now
    message.lease_until = None
    session.flush()


def mark_failed(
    session: Session,
    *,
    message: OutboxMessage,
    error: str,
    retry_after_seconds: int | None,
    now: dt.datetime,
) -> None:
    if message.status != OutboxStatus.PENDING.value:
        return  # delivered or dead already: a late failure report changes nothing
    message.last_error = error[:2000]
    message.lease_until = None
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.DEAD.value
    else:
        wait = max(retry_after_seconds or 0, backoff_seconds(message.attempts))
        message.next_attempt_at = now + dt.timedelta(seconds=wait)
    session.flush()
