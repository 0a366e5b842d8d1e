"""Open, find and release hand-offs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from huimin import townships
from workflows.audit import service as audit
from workflows.auth.actor import Caller
from workflows.auth.capabilities import may_see_township_queue
from workflows.handoffs.conversation import ConversationResumer
from workflows.handoffs.models import Handoff
from workflows.handoffs.schemas import (
    HandoffIn,
    HandoffOut,
    HandoffReleaseOut,
    HandoffSummaryOut,
)

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
        if body.township_code and not existing.township_code:
            existing.township_code = body.township_code
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
    return HandoffReleaseOut(**summary(handoff).model_dump(), conversation_resumed=resumed)


# Scoping: a township's staff see its hand-offs; the district queue (no township) and every
# township's are the supervisor's (workflows/auth/capabilities.py). Others: none, 404.
def list_open(session: Session, *, caller: Caller) -> list[Handoff]:
    query = select(Handoff).where(Handoff.status == OPEN).order_by(Handoff.id)
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


def summary(handoff: Handoff) -> HandoffSummaryOut:
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
    )


def out(handoff: Handoff) -> HandoffOut:
    """With the transcript: for the internal caller, or a staff read that is audited."""
    return HandoffOut(**summary(handoff).model_dump(), transcript=handoff.transcript)
