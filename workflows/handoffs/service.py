"""Open, find, list and summarise hand-offs (scoping: who sees which); the conversation itself
is in flows.py."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from huimin import townships
from workflows.audit import service as audit
from workflows.auth.actor import Caller
from workflows.auth.capabilities import may_see_township_queue
from workflows.handoffs.enums import OPEN_STATUSES, HandoffStatus
from workflows.handoffs.models import Handoff
from workflows.handoffs.schemas import (
    HandoffIn,
    HandoffOut,
    HandoffSummaryOut,
)

WAITING = HandoffStatus.WAITING.value
ACTIVE = HandoffStatus.ACTIVE.value
RELEASED = HandoffStatus.CLOSED.value  # closed: the assistant answers again


def active_for(session: Session, *, channel: str, channel_user_id: str) -> Handoff | None:
    return session.scalar(
        select(Handoff)
        .where(
            Handoff.channel == channel,
            Handoff.channel_user_id == channel_user_id,
            Handoff.status.in_(OPEN_STATUSES),
        )
        .order_by(Handoff.id.desc())
    )


def open_handoff(session: Session, *, body: HandoffIn, now: dt.datetime) -> Handoff:
    """One open hand-off per identity: asking again returns the open one."""
    existing = active_for(session, channel=body.channel, channel_user_id=body.channel_user_id)
    if existing is not None:
        if body.conversation_id and not existing.conversation_id:
            existing.conversation_id = body.conversation_id
        if body.township_code and not existing.township_code:
            existing.township_code = body.township_code
        session.flush()
        return existing
    handoff = Handoff(
        channel=body.channel,
        channel_user_id=body.channel_user_id,
        reason=body.reason,
        transcript=body.transcript,
        status=WAITING,
        created_at=now,
        waiting_since=now,
        conversation_id=body.conversation_id,
        township_code=body.township_code,
    )
    session.add(handoff)
    session.flush()
    audit.record(
        session,
        actor=f"internal:{body.channel}",
        action="handoff.opened",
        entity_type="handoff",
        entity_id=handoff.id,
        data={"channel": body.channel, "reason": body.reason, "township_code": body.township_code},
        at=now,
    )
    return handoff


# Scoping: a township's staff see its hand-offs; the district queue (no township) and every
# township's are the supervisor's (workflows/auth/capabilities.py). Others: none, 404.
def list_open(
    session: Session, *, caller: Caller, statuses: tuple[str, ...] = OPEN_STATUSES
) -> list[Handoff]:
    query = select(Handoff).where(Handoff.status.in_(statuses)).order_by(Handoff.id)
    if caller.is_internal or not may_see_township_queue(caller, caller.township_scope):
        return []
    if caller.township_scope is not None:
        query = query.where(Handoff.township_code == caller.township_scope)
    return list(session.scalars(query))


def get_visible(session: Session, *, handoff_id: int, caller: Caller) -> Handoff | None:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None or not may_see_township_queue(caller, handoff.township_code):
        return None
    return handoff


def township_label(code: str | None) -> str:
    if code is None:
        return f"{townships.DISTRICT_NAME}(未指明镇街)"
    return townships.township_name(code)


def waiting_seconds(handoff: Handoff, now: dt.datetime | None) -> int | None:
    """How long the resident waits (waiting), or waited before the claim (active); else None."""
    since = handoff.waiting_since or handoff.created_at
    if handoff.status == WAITING and now is not None:
        return max(0, int((now - since).total_seconds()))
    if handoff.status == ACTIVE and handoff.claimed_at is not None:
        return max(0, int((handoff.claimed_at - since).total_seconds()))
    return None


def summary(handoff: Handoff, now: dt.datetime | None = None) -> HandoffSummaryOut:
    return HandoffSummaryOut(
        id=handoff.id,
        status=handoff.status,
        channel=handoff.channel,
        channel_user_id=handoff.channel_user_id,
        reason=handoff.reason,
        township_code=handoff.township_code,
        township_name=township_label(handoff.township_code),
        created_at=handoff.created_at,
        released_at=handoff.released_at,
        released_by=handoff.released_by,
        conversation_id=handoff.conversation_id,
        waiting_since=handoff.waiting_since,
        waiting_seconds=waiting_seconds(handoff, now),
        claimed_by=handoff.claimed_by,
        claimed_at=handoff.claimed_at,
        staff_display_name=handoff.staff_display_name,
        first_response_at=handoff.first_response_at,
    )


def out(handoff: Handoff) -> HandoffOut:
    """With the transcript: for the internal caller, or a staff read that is audited."""
    return HandoffOut(**summary(handoff).model_dump(), transcript=handoff.transcript)
