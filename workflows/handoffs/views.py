"""Hand-off API: opened by the assistant (internal), released by staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

from workflows.auth.deps import CurrentStaff, InternalCaller
from workflows.deps import ClockDep, IdPath, SessionDep
from workflows.handoffs import service
from workflows.handoffs.conversation import ConversationResumer, get_resumer
from workflows.handoffs.models import Handoff
from workflows.handoffs.schemas import (
    HandoffActiveOut,
    HandoffIn,
    HandoffOut,
    HandoffReleaseOut,
)

router = APIRouter(tags=["handoffs"])
ResumerDep = Annotated[ConversationResumer, Depends(get_resumer)]


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


@router.get("/api/handoffs", response_model=list[HandoffOut])
def list_open(_: CurrentStaff, session: SessionDep) -> list[HandoffOut]:
    return [service.out(h) for h in service.list_open(session)]


@router.post("/api/handoffs/{handoff_id}/release", response_model=HandoffReleaseOut)
def release(
    handoff_id: IdPath,
    staff: CurrentStaff,
    session: SessionDep,
    clock: ClockDep,
    resumer: ResumerDep,
) -> HandoffReleaseOut:
    """Release the hand-off, then resume the resident's conversation in Rasa."""
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise HTTPException(status_code=404, detail="人工服务请求不存在")
    return service.release_and_resume(
        session, handoff=handoff, username=staff.username, now=clock.now(), resumer=resumer
    )
