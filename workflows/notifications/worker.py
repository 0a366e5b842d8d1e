"""Deliver the outbox's "sms" messages through an SmsSender (python -m workflows deliver-sms)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from workflows.notifications.sms import SMS_CHANNEL, SmsError, SmsSender, mask_phone
from workflows.outbox import service as outbox
from workflows.outbox.enums import MAX_ATTEMPTS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryReport:
    claimed: int
    sent: int
    failed: int


def deliver_once(
    factory: sessionmaker[Session],
    sender: SmsSender,
    *,
    now: Callable[[], dt.datetime],
    limit: int = 20,
    lease_seconds: int = 60,
) -> DeliveryReport:
    """Claim due SMS messages (leased, so parallel workers never share one), send each, and
    record delivered/failed in its own transaction; a failure is retried with backoff."""
    with factory() as session:
        claimed = outbox.claim(
            session, channel=SMS_CHANNEL, limit=limit, lease_seconds=lease_seconds, now=now()
        )
        jobs = [(m.id, m.channel_user_id, m.text) for m in claimed]
        session.commit()
    sent = failed = 0
    for message_id, phone, text in jobs:
        error: SmsError | None = None
        if not phone:
            error = SmsError("no phone number", retryable=False)
        else:
            try:
                sender.send(phone, text)
            except SmsError as exc:
                error = exc
        with factory() as session:
            message = outbox.get(session, message_id=message_id)
            if message is None:
                continue
            if error is None:
                outbox.mark_delivered(session, message=message, now=now())
                sent += 1
            else:
                if not error.retryable:
                    message.attempts = MAX_ATTEMPTS  # no point in retrying: dead now
                outbox.mark_failed(
                    session,
                    message=message,
                    error=str(error),
                    retry_after_seconds=error.retry_after_seconds,
                    now=now(),
                )
                log.warning("sms %d to %s failed: %s", message_id, mask_phone(phone or ""), error)
                failed += 1
            session.commit()
    return DeliveryReport(claimed=len(jobs), sent=sent, failed=failed)
