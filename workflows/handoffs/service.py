"""Open, find and release hand-offs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.audit import service as audit
from workflows.handoffs.conversation import ConversationResumer
from workflows.handoffs.models import Handoff
from workflows.handoffs.schemas import HandoffIn, HandoffOut, HandoffReleaseOut

OPEN = "open"
RELEASED = "released"


def active_for(session: Session, *, channel: str, channel_user_id: str) -> Handoff | None:
    return session.scalar(
        select(Handoff)
        .where(
            Handoff.channel == channel,
            Handoff.channel_user_id == channel_user_id,
            Handoff.status == OPEN,
        )
        .order_by(Handoff.id.desc())
    )


def open_handoff(session: Session, *, body: HandoffIn, now: dt.datetime) -> Handoff:
    """One open hand-off per identity: asking again returns the open one."""
    existing = active_for(session, channel=body.channel, channel_user_id=body.channel_user_id)
    if existing is not None:
        if body.conversation_id and not existing.conversation_id:
            existing.conversation_id = body.conversation_id
            session.flush()
        return existing
    handoff = Handoff(
        channel=body.channel,
        channel_user_id=body.channel_user_id,
        reason=body.reason,
        transcript=body.transcript,
        status=OPEN,
        created_at=now,
        conversation_id=body.conversation_id,
    )
    session.add(handoff)
    session.flush()
    audit.record(
        session,
        actor=f"internal:{body.channel}",
        action="handoff.opened",
        entity_type="handoff",
        entity_id=handoff.id,
        data={"channel": body.channel, "reason": body.reason},
        at=now,
    )
    return handoff


def release(session: Session, *, handoff: Handoff, username: str, now: dt.datetime) -> Handoff:
    if handoff.status == RELEASED:
        return handoff
    handoff.status = RELEASED
    handoff.released_at = now
    handoff.released_by = username
    session.flush()
    audit.record(
        session,
        actor=f"staff:{username}",
        action="handoff.released",
        entity_type="handoff",
        entity_id=handoff.id,
        data={},
        at=now,
    )
    return handoff


def release_and_resume(
    session: Session,
    *,
    handoff: Handoff,
    username: str,
    now: dt.datetime,
    resumer: ConversationResumer,
) -> HandoffReleaseOut:
    """Release (committed first, so it stands whatever Rasa does), then resume the conversation.

    ``conversation_resumed`` is false when there is no conversation id (older rows) or Rasa
    could not be reached; staff may release again to retry the resume.
    """
    release(session, handoff=handoff, username=username, now=now)
    session.commit()
    resumed = bool(handoff.conversation_id) and resumer.resume(str(handoff.conversation_id))
    return HandoffReleaseOut(**out(handoff).model_dump(), conversation_resumed=resumed)


def list_open(session: Session) -> list[Handoff]:
    return list(session.scalars(select(Handoff).where(Handoff.status == OPEN).order_by(Handoff.id)))


def out(handoff: Handoff) -> HandoffOut:
    return HandoffOut(
        id=handoff.id,
        status=handoff.status,
        channel=handoff.channel,
        channel_user_id=handoff.channel_user_id,
        reason=handoff.reason,
        transcript=handoff.transcript,
        created_at=handoff.created_at,
        released_at=handoff.released_at,
        released_by=handoff.released_by,
        conversation_id=handoff.conversation_id,
    )
