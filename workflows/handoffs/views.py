"""Hand-off API: opened by the assistant (internal), read and released by the staff of its
township (the district queue: the supervisor; workflows/auth/capabilities.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

from workflows.auth.deps import HandoffStaff, InternalCaller
from workflows.deps import ClockDep, IdPath, SessionDep
from workflows.handoffs import service
from workflows.handoffs.conversation import ConversationResumer, get_resumer
from workflows.handoffs.schemas import (
    HandoffActiveOut,
    HandoffIn,
    HandoffOut,
    HandoffReleaseOut,
    HandoffSummaryOut,
)
from workflows.read_audit import record_read

router = APIRouter(tags=["handoffs"])
ResumerDep = Annotated[ConversationResumer, Depends(get_resumer)]
NOT_FOUND = HTTPException(status_code=404, detail="人工服务请求不存在或不在您的辖区")
READ_VIEW = "api.handoff_detail"


@router.post("/api/handoffs", response_model=HandoffOut, status_code=201)
def open_handoff(
    body: HandoffIn, _: InternalCaller, session: SessionDep, clock: ClockDep
) -> HandoffOut:
    handoff = service.open_handoff(session, body=body, now=clock.now())
    session.commit()
    return service.out(handoff)


@router.get("/api/handoffs/active", response_model=HandoffActiveOut)
def active(
    _: InternalCaller,
    session: SessionDep,
    channel: Annotated[str, Query(min_length=1, max_length=20)],
    channel_user_id: Annotated[str, Query(min_length=1, max_length=100)],
) -> HandoffActiveOut:
    handoff = service.active_for(session, channel=channel, channel_user_id=channel_user_id)
    return HandoffActiveOut(
        active=handoff is not None, handoff=service.out(handoff) if handoff else None
    )


@router.get("/api/handoffs", response_model=list[HandoffSummaryOut])
def list_open(caller: HandoffStaff, session: SessionDep) -> list[HandoffSummaryOut]:
    """Open hand-offs the caller may handle, without transcripts."""
    return [service.summary(h) for h in service.list_open(session, caller=caller)]


@router.get("/api/handoffs/{handoff_id}", response_model=HandoffOut)
def get_handoff(
    handoff_id: IdPath, caller: HandoffStaff, session: SessionDep, clock: ClockDep
) -> HandoffOut:
    """One hand-off with its transcript; the read is audited."""
    handoff = service.get_visible(session, handoff_id=handoff_id, caller=caller)
    if handoff is None:
        raise NOT_FOUND
    answer = service.out(handoff)
    record_read(
        session,
        caller=caller,
        entity_type="handoff",
        entity_id=handoff.id,
        view=READ_VIEW,
        at=clock.now(),
    )
    session.commit()
    return answer


@router.post("/api/handoffs/{handoff_id}/release", response_model=HandoffReleaseOut)
def release(
    handoff_id: IdPath,
    caller: HandoffStaff,
    session: SessionDep,
    clock: ClockDep,
    resumer: ResumerDep,
) -> HandoffReleaseOut:
    """Release the hand-off, then resume the resident's conversation in Rasa."""
    handoff = service.get_visible(session, handoff_id=handoff_id, caller=caller)
    if handoff is None or caller.staff is None:
        raise NOT_FOUND
    return service.release_and_resume(
        session, handoff=handoff, username=caller.staff.username, now=clock.now(), resumer=resumer
    )
