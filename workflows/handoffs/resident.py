"""A resident's message while a hand-off is open: stored on it for staff, not sent to the
assistant (which is paused). Used by the web chat and, through the internal API, the bridge."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from workflows.handoffs import flows, service
from workflows.handoffs.conversation import ConversationResumer
from workflows.handoffs.live import LiveHub
from workflows.handoffs.models import Handoff
from workflows.handoffs.schemas import ResidentHandoffOut, ResidentMessageOut


def resident_view(handoff: Handoff) -> ResidentHandoffOut:
    return ResidentHandoffOut(status=handoff.status, staff_display_name=handoff.staff_display_name)


def take_resident_message(
    session: Session,
    *,
    channel: str,
    channel_user_id: str,
    text: str,
    now: dt.datetime,
    hub: LiveHub,
    resumer: ConversationResumer,
) -> ResidentMessageOut:
    """``accepted`` false: no open hand-off, the caller sends the message to the assistant."""
    handoff = service.active_for(session, channel=channel, channel_user_id=channel_user_id)
    if handoff is None:
        return ResidentMessageOut(accepted=False, handoff=None)
    left = flows.resident_message(session, handoff=handoff, text=text, now=now)
    session.commit()
    flows.wake(hub, handoff)
    if left and handoff.conversation_id:
        resumer.resume(handoff.conversation_id)
    return ResidentMessageOut(accepted=True, handoff=resident_view(handoff))
