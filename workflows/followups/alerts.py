"""The consumer of outbox channel ``township`` (user id = the township code).

Delivery means being shown to a staff member of that township: when one of them opens a staff
page (or its poll asks), the township's due messages are claimed through the outbox lease,
copied into ``township_alerts`` and marked delivered, in one transaction. The alert stays on
the township's 待处理提醒 list until a staff member acknowledges it (audited).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflows.audit import service as audit
from workflows.auth.actor import Caller
from workflows.errors import ServiceError
from workflows.followups.models import TownshipAlert
from workflows.outbox import service as outbox
from workflows.visits.log import TOWNSHIP_CHANNEL  # where urgent visit alerts are queued

LONG_POLL_MAX_SECONDS = 25  # a page's poll may wait this long for a new alert


def township_key(township_code: str) -> str:
    """The live hub key (workflows/handoffs/live.py) woken when the township's alerts change."""
    return f"township-alerts:{township_code}"


CLAIM_LIMIT = 50
LEASE_SECONDS = 60


class AlertNotFoundError(ServiceError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("提醒不存在或不在您的辖区")


def deliver(session: Session, *, township_code: str, shown_to: str, now: dt.datetime) -> int:
    """Take the township's pending messages into its alert list; the number delivered."""
    messages = outbox.claim(
        session,
        channel=TOWNSHIP_CHANNEL,
        channel_user_id=township_code,
        limit=CLAIM_LIMIT,
        lease_seconds=LEASE_SECONDS,
        now=now,
    )
    delivered = 0
    for message in messages:
        try:
            with session.begin_nested():
                session.add(
                    TownshipAlert(
                        outbox_message_id=message.id,
                        township_code=township_code,
                        text=message.text,
                        shown_to=shown_to,
                        shown_at=now,
                    )
                )
                session.flush()
        except IntegrityError:
            pass  # shown already (a lease that expired after the copy): deliver it now
        outbox.mark_delivered(session, message=message, now=now)
        audit.record(
            session,
            actor=f"staff:{shown_to}",
            action="township_alert.shown",
            entity_type="outbox_message",
            entity_id=message.id,
            data={"township_code": township_code},
            at=now,
        )
        delivered += 1
    return delivered


def open_alerts(session: Session, *, township_code: str) -> Sequence[TownshipAlert]:
    return session.scalars(
        select(TownshipAlert)
        .where(
            TownshipAlert.township_code == township_code,
            TownshipAlert.acknowledged_at.is_(None),
        )
        .order_by(TownshipAlert.id.desc())
    ).all()


def pending_for(session: Session, *, caller: Caller, now: dt.datetime) -> Sequence[TownshipAlert]:
    """Deliver what is waiting for the caller's township and list its open alerts.

    District staff (no township) are not the township's duty: they get none."""
    township = caller.township_scope
    if township is None or caller.staff is None:
        return []
    deliver(session, township_code=township, shown_to=caller.staff.username, now=now)
    return open_alerts(session, township_code=township)


def open_count(session: Session, *, township_code: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(TownshipAlert)
            .where(
                TownshipAlert.township_code == township_code,
                TownshipAlert.acknowledged_at.is_(None),
            )
        )
        or 0
    )


def acknowledge(
    session: Session, *, alert_id: int, caller: Caller, now: dt.datetime
) -> TownshipAlert:
    """Idempotent: a second click keeps the first acknowledgement (audited once)."""
    alert = session.get(TownshipAlert, alert_id)
    if (
        alert is None
        or caller.staff is None
        or caller.township_scope is None
        or alert.township_code != caller.township_scope
    ):
        raise AlertNotFoundError
    result = session.execute(
        update(TownshipAlert)
        .where(TownshipAlert.id == alert_id, TownshipAlert.acknowledged_at.is_(None))
        .values(acknowledged_at=now, acknowledged_by=caller.staff.username)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        audit.record(
            session,
            actor=caller.audit_name,
            action="township_alert.acknowledged",
            entity_type="township_alert",
            entity_id=alert.id,
            data={
                "outbox_message_id": alert.outbox_message_id,
                "township_code": alert.township_code,
            },
            at=now,
        )
    session.refresh(alert)
    return alert
