"""Hand-off API: opened by the assistant (internal), answered, transferred and closed by the staff
of its township (the district queue: the supervisor; workflows/auth/capabilities.py). Another
township's staff get 404 for everything. Every staff step is audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

from huimin.masking import mask_text
from workflows.auth.actor import Caller
from workflows.auth.deps import HandoffStaff, InternalCaller
from workflows.auth.models import StaffUser
from workflows.deps import CalendarDep, ClockDep, IdPath, SessionDep, SettingsDep
from workflows.handoffs import flows, service
from workflows.handoffs.conversation import ConversationResumer, get_resumer
from workflows.handoffs.enums import OPEN_STATUSES
from workflows.handoffs.live import LiveHub, get_hub
from workflows.handoffs.models import Handoff, HandoffMessage
from workflows.handoffs.resident import take_resident_message
from workflows.handoffs.schemas import (
    CloseIn,
    HandoffActiveOut,
    HandoffIn,
    HandoffOut,
    HandoffReleaseOut,
    HandoffSummaryOut,
    MessageIn,
    MessageOut,
    ResidentMessageIn,
    ResidentMessageOut,
    TransferIn,
)
from workflows.read_audit import record_read

router = APIRouter(tags=["handoffs"])
ResumerDep = Annotated[ConversationResumer, Depends(get_resumer)]
HubDep = Annotated[LiveHub, Depends(get_hub)]
NOT_FOUND = HTTPException(status_code=404, detail="人工服务请求不存在或不在您的辖区")
READ_VIEW = "api.handoff_detail"
MESSAGES_VIEW = "api.handoff_messages"
STATUS_FILTER = Query(pattern="^(waiting|active|closed)$")


@router.post("/api/handoffs", response_model=HandoffOut, status_code=201)
def open_handoff(
    body: HandoffIn,
    _: InternalCaller,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    calendar: CalendarDep,
    hub: HubDep,
) -> HandoffOut:
    handoff = flows.open_with_notice(
        session, body=body, now=clock.now(), settings=settings, calendar=calendar
    )
    session.commit()
    flows.wake(hub, handoff)
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


@router.post("/api/handoffs/resident-messages", response_model=ResidentMessageOut)
def resident_message(
    body: ResidentMessageIn,
    _: InternalCaller,
    session: SessionDep,
    clock: ClockDep,
    hub: HubDep,
    resumer: ResumerDep,
) -> ResidentMessageOut:
    """What a resident typed (the Telegram bridge asks before forwarding to the assistant):
    stored on their open hand-off (``accepted``), else left for the assistant."""
    return take_resident_message(
        session,
        channel=body.channel,
        channel_user_id=body.channel_user_id,
        text=body.text,
        now=clock.now(),
        hub=hub,
        resumer=resumer,
    )


@router.get("/api/handoffs", response_model=list[HandoffSummaryOut])
def list_open(
    caller: HandoffStaff,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    hub: HubDep,
    status: Annotated[str | None, STATUS_FILTER] = None,
) -> list[HandoffSummaryOut]:
    """The caller's queue (waiting and active; or one ``status``), without transcripts."""
    now = clock.now()
    for late in flows.sweep_unclaimed(session, now=now, settings=settings):
        session.commit()
        flows.wake(hub, late)
    statuses = (status,) if status else OPEN_STATUSES
    rows = service.list_open(session, caller=caller, statuses=statuses)
    return [service.summary(h, now) for h in rows]


def _visible(session: SessionDep, handoff_id: int, caller: Caller) -> tuple[Handoff, StaffUser]:
    handoff = service.get_visible(session, handoff_id=handoff_id, caller=caller)
    if handoff is None or caller.staff is None:
        raise NOT_FOUND
    return handoff, caller.staff


def message_out(message: HandoffMessage, names: dict[str, str]) -> MessageOut:
    return MessageOut(
        id=message.id,
        sender=message.sender,
        text=mask_text(message.text),
        at=message.created_at,
        staff_display_name=names.get(message.staff_username or ""),
    )


@router.get("/api/handoffs/{handoff_id}", response_model=HandoffOut)
def get_handoff(
    handoff_id: IdPath, caller: HandoffStaff, session: SessionDep, clock: ClockDep
) -> HandoffOut:
    """One hand-off with its transcript; the read is audited."""
    handoff, _staff = _visible(session, handoff_id, caller)
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


@router.post("/api/handoffs/{handoff_id}/claim", response_model=HandoffSummaryOut)
def claim(
    handoff_id: IdPath, caller: HandoffStaff, session: SessionDep, clock: ClockDep, hub: HubDep
) -> HandoffSummaryOut:
    """Take a waiting hand-off (409 when another staff member has it, or it is closed)."""
    handoff, staff = _visible(session, handoff_id, caller)
    now = clock.now()
    flows.claim(session, handoff=handoff, staff=staff, now=now)
    session.commit()
    flows.wake(hub, handoff)
    return service.summary(handoff, now)


@router.get("/api/handoffs/{handoff_id}/messages", response_model=list[MessageOut])
def list_messages(
    handoff_id: IdPath,
    caller: HandoffStaff,
    session: SessionDep,
    clock: ClockDep,
    after: Annotated[int, Query(ge=0, le=2_147_483_647)] = 0,
) -> list[MessageOut]:
    """The conversation since the hand-off (ID numbers masked), after message ``after``;
    the read is audited."""
    handoff, _staff = _visible(session, handoff_id, caller)
    messages = flows.messages(session, handoff_id=handoff.id, after=after)
    names = flows.staff_names(session, messages)
    answer = [message_out(m, names) for m in messages]
    record_read(
        session,
        caller=caller,
        entity_type="handoff",
        entity_id=handoff.id,
        view=MESSAGES_VIEW,
        at=clock.now(),
    )
    session.commit()
    return answer


@router.post("/api/handoffs/{handoff_id}/messages", response_model=MessageOut, status_code=201)
def reply(
    handoff_id: IdPath,
    body: MessageIn,
    caller: HandoffStaff,
    session: SessionDep,
    clock: ClockDep,
    hub: HubDep,
) -> MessageOut:
    """A staff reply, delivered to the resident's own channel through the outbox."""
    handoff, staff = _visible(session, handoff_id, caller)
    message = flows.staff_reply(
        session, handoff=handoff, staff=staff, text=body.text, now=clock.now()
    )
    session.commit()
    flows.wake(hub, handoff)
    return message_out(message, {staff.username: flows.display_name(staff)})


@router.post("/api/handoffs/{handoff_id}/transfer", response_model=HandoffSummaryOut)
def transfer(
    handoff_id: IdPath,
    body: TransferIn,
    caller: HandoffStaff,
    session: SessionDep,
    clock: ClockDep,
    hub: HubDep,
) -> HandoffSummaryOut:
    """To another township's queue, or the district's (``township_code`` null)."""
    handoff, staff = _visible(session, handoff_id, caller)
    now = clock.now()
    flows.transfer(session, handoff=handoff, staff=staff, township_code=body.township_code, now=now)
    session.commit()
    flows.wake(hub, handoff)
    return service.summary(handoff, now)


@router.post("/api/handoffs/{handoff_id}/release", response_model=HandoffReleaseOut)
def release(
    handoff_id: IdPath,
    caller: HandoffStaff,
    session: SessionDep,
    clock: ClockDep,
    resumer: ResumerDep,
    hub: HubDep,
    body: CloseIn | None = None,
) -> HandoffReleaseOut:
    """Close the hand-off (a one-line summary to the resident), then resume the assistant."""
    handoff, staff = _visible(session, handoff_id, caller)
    return flows.close_and_resume(
        session,
        handoff=handoff,
        staff=staff,
        summary=body.summary if body else "",
        now=clock.now(),
        resumer=resumer,
        hub=hub,
    )
