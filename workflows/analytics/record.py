"""One Rasa event from the broker → analytics rows, idempotent on redelivery.

Read from an event: its kind (``event``), ``timestamp``, the sender id (only to compute HMAC
keys), a user event's ``input_channel``, an ``active_loop`` event's form name, and a ``slot``
event's name — plus its value only for ``requested_slot`` (the name of the question asked) and
whether ``last_application_number`` is set. Everything else (texts, entities, other slot values,
metadata) is never read.

A conversation is one Rasa session: ``session_started`` opens it; any other event belongs to
the sender's latest conversation that started at or before it (a user, slot, form or pause event
opens one when none is known, e.g. a session that began before the broker was configured).
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflows.analytics import keys, steps
from workflows.analytics.models import AnalyticsConversation, AnalyticsStep

MAX_SENDER_ID_LENGTH = 512
# Events that open a conversation when none of the sender's is known (its session_started was
# never seen); other kinds (actions, bot messages) alone do not
OPENING_KINDS = frozenset({"user", "slot", "active_loop", "pause"})


class InvalidEventError(ValueError):
    """Not a Rasa event this consumer can read (rejected, never retried)."""


def _timestamp(event: dict[str, Any]) -> float:
    value = event.get("timestamp")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidEventError("timestamp missing or not a number")
    if not 0 < value < 32503680000:  # before the year 3000
        raise InvalidEventError("timestamp out of range")
    return float(value)


def _sender(event: dict[str, Any]) -> str:
    value = event.get("sender_id")
    if not isinstance(value, str) or not value or len(value) > MAX_SENDER_ID_LENGTH:
        raise InvalidEventError("sender_id missing")
    return value


def _open_conversation(
    session: Session, *, secret: bytes, sender_id: str, started: float, channel: str | None
) -> AnalyticsConversation:
    return _opened(session, secret=secret, sender_id=sender_id, started=started, channel=channel)[0]


def _opened(
    session: Session, *, secret: bytes, sender_id: str, started: float, channel: str | None
) -> tuple[AnalyticsConversation, bool]:
    """The conversation of this session, and whether it was opened now."""
    key = keys.conversation_key(secret, sender_id, started)
    found = session.scalar(
        select(AnalyticsConversation).where(AnalyticsConversation.conversation_key == key)
    )
    if found is not None:
        return found, False
    when = keys.moment(started)
    monday = keys.week_start(when)
    conversation = AnalyticsConversation(
        conversation_key=key,
        sender_key=keys.sender_key(secret, sender_id),
        channel=channel,
        started_at=when,
        week_start=monday,
        iso_week=keys.iso_week(monday),
    )
    try:
        with session.begin_nested():
            session.add(conversation)
            session.flush()
    except IntegrityError:  # another consumer opened it at the same moment
        found = session.scalar(
            select(AnalyticsConversation).where(AnalyticsConversation.conversation_key == key)
        )
        if found is None:
            raise
        return found, False
    _reach(session, conversation, steps.STARTED, started)
    return conversation, True


def _current_conversation(
    session: Session, *, secret: bytes, sender_id: str, at: float, channel: str | None, kind: str
) -> AnalyticsConversation | None:
    found = session.scalar(
        select(AnalyticsConversation)
        .where(
            AnalyticsConversation.sender_key == keys.sender_key(secret, sender_id),
            AnalyticsConversation.started_at <= keys.moment(at),
        )
        .order_by(AnalyticsConversation.started_at.desc(), AnalyticsConversation.id.desc())
        .limit(1)
    )
    if found is not None or kind not in OPENING_KINDS:
        return found  # e.g. action_session_start, published just before session_started
    return _open_conversation(
        session, secret=secret, sender_id=sender_id, started=at, channel=channel
    )


def _reach(session: Session, conversation: AnalyticsConversation, step: str, at: float) -> bool:
    """Record the step once per conversation; False when it was recorded already."""
    exists = session.scalar(
        select(AnalyticsStep.id).where(
            AnalyticsStep.conversation_id == conversation.id, AnalyticsStep.step == step
        )
    )
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                AnalyticsStep(
                    conversation_id=conversation.id, step=step, reached_at=keys.moment(at)
                )
            )
            session.flush()
    except IntegrityError:  # the unique (conversation, step): counted by a concurrent delivery
        return False
    return True


def _step_of(event: dict[str, Any], conversation: AnalyticsConversation) -> str | None:
    kind = event.get("event")
    if kind == "active_loop":
        name = event.get("name")
        conversation.active_form = name[:64] if isinstance(name, str) and name else None
        return steps.APPLICATION_BEGUN if name == steps.APPLICATION_FORM else None
    if kind == "slot":
        name = event.get("name")
        if name == steps.REQUESTED_SLOT and conversation.active_form == steps.APPLICATION_FORM:
            value = event.get("value")
            return steps.ask_step(value) if isinstance(value, str) else None
        if name == steps.SUBMISSION_SLOT and event.get("value"):
            return steps.SUBMITTED
        return None
    if kind == "pause":  # ConversationPaused: only a hand-off that was opened pauses the bot
        return steps.HANDED_OFF
    return None


def record_event(session: Session, event: object, *, secret: bytes) -> str | None:
    """Apply one event (flushed, not committed); the step newly counted, if any."""
    if not isinstance(event, dict):
        raise InvalidEventError("not a JSON object")
    kind = event.get("event")
    if not isinstance(kind, str):
        raise InvalidEventError("event kind missing")
    sender_id = _sender(event)
    at = _timestamp(event)
    channel = keys.channel_of(sender_id, event.get("input_channel"))
    if kind == "session_started":
        _, created = _opened(
            session, secret=secret, sender_id=sender_id, started=at, channel=channel
        )
        return steps.STARTED if created else None
    conversation = _current_conversation(
        session, secret=secret, sender_id=sender_id, at=at, channel=channel, kind=kind
    )
    if conversation is None:
        return None
    if kind == "user" and conversation.channel is None and channel is not None:
        conversation.channel = channel
    step = _step_of(event, conversation)
    if step is None:
        session.flush()
        return None
    return step if _reach(session, conversation, step, at) else None
