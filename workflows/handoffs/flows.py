"""A hand-off as a conversation: messages both ways, claim, transfer, close, timeouts.

Every staff and system message is stored on the hand-off and queued in the outbox for the
resident's own channel (``channel``/``channel_user_id``), in the same transaction: the Telegram
notifier delivers ``telegram`` rows (retries, 429), the web chat reads its ``web`` rows through
``GET /chat/api/updates``, and any later channel (WeChat) plugs a sender into the outbox.
Callers commit, then wake live readers (``wake``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from huimin.masking import mask_id_text
from huimin.settings import Settings
from workflows.audit import service as audit
from workflows.auth.enums import Role
from workflows.auth.models import StaffUser
from workflows.deadlines.calendar import WorkingDays
from workflows.errors import ServiceError
from workflows.handoffs import notices, service
from workflows.handoffs.conversation import ConversationResumer
from workflows.handoffs.enums import HandoffStatus, Sender
from workflows.handoffs.hours import OfficeHours, is_open, next_opening
from workflows.handoffs.live import LiveHub, handoff_key, resident_key
from workflows.handoffs.models import Handoff, HandoffMessage
from workflows.handoffs.schemas import HandoffIn, HandoffReleaseOut
from workflows.outbox import service as outbox

WEB_CHANNEL = "web"
STAFF_PREFIX = "【人工服务】"


class HandoffConflictError(ServiceError):
    status_code = 409


class HandoffInputError(ServiceError):
    status_code = 422


def display_name(staff: StaffUser) -> str:
    """What residents see: the display name; without one, the township and role (never the
    username)."""
    if staff.display_name.strip():
        return staff.display_name.strip()
    place = service.township_label(staff.township_code) if staff.township_code else "区"
    return f"{place}{Role(staff.role).label}"


def _channel_text(handoff: Handoff, sender: Sender, text: str, name: str | None) -> str:
    """The text for the resident's channel: the web chat shows who speaks beside each message,
    a chat app gets it as a prefix."""
    if handoff.channel == WEB_CHANNEL:
        return text
    if sender == Sender.STAFF and name:
        return f"{STAFF_PREFIX}工作人员 {name}:{text}"
    return f"{STAFF_PREFIX}{text}"


def add_message(
    session: Session,
    *,
    handoff: Handoff,
    sender: Sender,
    text: str,
    now: dt.datetime,
    staff: StaffUser | None = None,
) -> HandoffMessage:
    message = HandoffMessage(
        handoff_id=handoff.id,
        sender=sender.value,
        text=text,
        staff_username=staff.username if staff else None,
        created_at=now,
    )
    session.add(message)
    session.flush()
    if sender != Sender.RESIDENT:
        name = display_name(staff) if staff else None
        outbox.enqueue(
            session,
            channel=handoff.channel,
            channel_user_id=handoff.channel_user_id,
            text=_channel_text(handoff, sender, text, name),
            now=now,
            handoff_message_id=message.id,
        )
    return message


def wake(hub: LiveHub, handoff: Handoff) -> None:
    hub.notify(handoff_key(handoff.id), resident_key(handoff.channel, handoff.channel_user_id))


# Opening ---------------------------------------------------------------------------------------
def open_with_notice(
    session: Session,
    *,
    body: HandoffIn,
    now: dt.datetime,
    settings: Settings,
    calendar: WorkingDays,
) -> Handoff:
    """Open (or find) the hand-off; a new one tells the resident the expected wait, or outside
    office hours when staff will answer and what else they can do."""
    existing = service.active_for(
        session, channel=body.channel, channel_user_id=body.channel_user_id
    )
    handoff = service.open_handoff(session, body=body, now=now)
    if existing is not None:
        return handoff
    hours = OfficeHours.parse(settings.handoff_office_hours)
    if is_open(now, hours=hours, calendar=calendar):
        add_message(
            session, handoff=handoff, sender=Sender.SYSTEM, text=notices.waiting(settings), now=now
        )
        return handoff
    opening = next_opening(now, hours=hours, calendar=calendar)
    text = notices.out_of_hours(settings, opening=opening, hours_label=hours.label())
    add_message(session, handoff=handoff, sender=Sender.SYSTEM, text=text, now=now)
    handoff.timeout_notified_at = now  # already told when staff answer: no "unclaimed" notice
    session.flush()
    return handoff


# The resident ----------------------------------------------------------------------------------
def resident_message(session: Session, *, handoff: Handoff, text: str, now: dt.datetime) -> bool:
    """Store what the resident typed; ``True`` when they chose to continue with the assistant
    (the hand-off is then closed and the caller resumes the conversation)."""
    add_message(session, handoff=handoff, sender=Sender.RESIDENT, text=text, now=now)
    if not notices.wants_the_bot(text):
        return False
    _close(session, handoff=handoff, actor="resident", by=None, now=now)
    add_message(
        session, handoff=handoff, sender=Sender.SYSTEM, text=notices.left_by_resident(), now=now
    )
    return True


# Staff -----------------------------------------------------------------------------------------
def _must_be_open(handoff: Handoff) -> None:
    if handoff.status == HandoffStatus.CLOSED.value:
        raise HandoffConflictError("该人工服务已结束")


def claim(session: Session, *, handoff: Handoff, staff: StaffUser, now: dt.datetime) -> Handoff:
    _must_be_open(handoff)
    if handoff.status == HandoffStatus.ACTIVE.value:
        if handoff.claimed_by == staff.username:
            return handoff
        raise HandoffConflictError(f"该对话已由工作人员 {handoff.staff_display_name} 接待")
    name = display_name(staff)
    handoff.status = HandoffStatus.ACTIVE.value
    handoff.claimed_by = staff.username
    handoff.claimed_at = now
    handoff.staff_display_name = name
    session.flush()
    audit.record(
        session,
        actor=f"staff:{staff.username}",
        action="handoff.claimed",
        entity_type="handoff",
        entity_id=handoff.id,
        data={"waited_seconds": service.waiting_seconds(handoff, now)},
        at=now,
    )
    add_message(session, handoff=handoff, sender=Sender.SYSTEM, text=notices.claimed(name), now=now)
    return handoff


def staff_reply(
    session: Session, *, handoff: Handoff, staff: StaffUser, text: str, now: dt.datetime
) -> HandoffMessage:
    """A reply from the staff member handling it (a waiting one is claimed first)."""
    cleaned = text.strip()
    if not cleaned:
        raise HandoffInputError("请输入回复内容")
    if handoff.status == HandoffStatus.WAITING.value:
        claim(session, handoff=handoff, staff=staff, now=now)
    _must_be_open(handoff)
    if handoff.claimed_by != staff.username:
        raise HandoffConflictError(f"该对话已由工作人员 {handoff.staff_display_name} 接待")
    message = add_message(
        session, handoff=handoff, sender=Sender.STAFF, text=cleaned, now=now, staff=staff
    )
    if handoff.first_response_at is None:
        handoff.first_response_at = now
    audit.record(
        session,
        actor=f"staff:{staff.username}",
        action="handoff.replied",
        entity_type="handoff",
        entity_id=handoff.id,
        data={"message_id": message.id, "chars": len(cleaned)},
        at=now,
    )
    return message


def transfer(
    session: Session,
    *,
    handoff: Handoff,
    staff: StaffUser,
    township_code: str | None,
    now: dt.datetime,
) -> Handoff:
    """To another township's queue (or the district's): waiting again, for its staff."""
    _must_be_open(handoff)
    previous = handoff.township_code
    handoff.township_code = township_code
    handoff.status = HandoffStatus.WAITING.value
    handoff.claimed_by = None
    handoff.claimed_at = None
    handoff.staff_display_name = None
    handoff.waiting_since = now
    handoff.timeout_notified_at = None
    session.flush()
    audit.record(
        session,
        actor=f"staff:{staff.username}",
        action="handoff.transferred",
        entity_type="handoff",
        entity_id=handoff.id,
        data={"from": previous, "to": township_code},
        at=now,
    )
    place = service.township_label(township_code) if township_code else "区级"
    add_message(
        session, handoff=handoff, sender=Sender.SYSTEM, text=notices.transferred(place), now=now
    )
    return handoff


def _close(
    session: Session, *, handoff: Handoff, actor: str, by: str | None, now: dt.datetime
) -> None:
    handoff.status = HandoffStatus.CLOSED.value
    handoff.released_at = now
    handoff.released_by = by
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="handoff.released",
        entity_type="handoff",
        entity_id=handoff.id,
        data={},
        at=now,
    )


def close(
    session: Session, *, handoff: Handoff, staff: StaffUser, summary: str, now: dt.datetime
) -> Handoff:
    """Close with a one-line summary to the resident (the caller resumes the assistant)."""
    if handoff.status == HandoffStatus.CLOSED.value:
        return handoff
    _close(session, handoff=handoff, actor=f"staff:{staff.username}", by=staff.username, now=now)
    text = notices.closed(mask_id_text(summary))
    add_message(session, handoff=handoff, sender=Sender.SYSTEM, text=text, now=now)
    return handoff


# Timeouts --------------------------------------------------------------------------------------
def sweep_unclaimed(session: Session, *, now: dt.datetime, settings: Settings) -> list[Handoff]:
    """Tell each resident waiting longer than the claim timeout (once per wait); returns them."""
    limit = now - dt.timedelta(minutes=settings.handoff_claim_timeout_minutes)
    late = session.scalars(
        select(Handoff)
        .where(
            Handoff.status == HandoffStatus.WAITING.value,
            Handoff.timeout_notified_at.is_(None),
            Handoff.waiting_since <= limit,
        )
        .order_by(Handoff.id)
        .with_for_update(skip_locked=True)
    ).all()
    for handoff in late:
        handoff.timeout_notified_at = now
        add_message(
            session,
            handoff=handoff,
            sender=Sender.SYSTEM,
            text=notices.unclaimed(settings),
            now=now,
        )
        audit.record(
            session,
            actor="system",
            action="handoff.unclaimed_notice",
            entity_type="handoff",
            entity_id=handoff.id,
            data={"timeout_minutes": settings.handoff_claim_timeout_minutes},
            at=now,
        )
    session.flush()
    return list(late)


def messages(session: Session, *, handoff_id: int, after: int = 0) -> list[HandoffMessage]:
    return list(
        session.scalars(
            select(HandoffMessage)
            .where(HandoffMessage.handoff_id == handoff_id, HandoffMessage.id > after)
            .order_by(HandoffMessage.id)
        )
    )


def close_and_resume(
    session: Session,
    *,
    handoff: Handoff,
    staff: StaffUser,
    summary: str,
    now: dt.datetime,
    resumer: ConversationResumer,
    hub: LiveHub,
) -> HandoffReleaseOut:
    """Close (committed first, so it stands whatever Rasa does), then resume the conversation.

    ``conversation_resumed`` is false when there is no conversation id (older rows) or Rasa
    could not be reached; staff may release again to retry the resume.
    """
    close(session, handoff=handoff, staff=staff, summary=summary, now=now)
    session.commit()
    wake(hub, handoff)
    resumed = bool(handoff.conversation_id) and resumer.resume(str(handoff.conversation_id))
    return HandoffReleaseOut(**service.summary(handoff).model_dump(), conversation_resumed=resumed)


def staff_names(session: Session, found: list[HandoffMessage]) -> dict[str, str]:
    """Display names of the staff who wrote these messages (username -> display name)."""
    usernames = {m.staff_username for m in found if m.staff_username}
    if not usernames:
        return {}
    users = session.scalars(select(StaffUser).where(StaffUser.username.in_(usernames)))
    return {u.username: display_name(u) for u in users}
