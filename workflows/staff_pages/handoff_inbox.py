"""The web chat's side of a live hand-off: the resident's messages go to the hand-off while it
is open; staff and system messages come back through ``GET /chat/api/updates``.

Those come from the outbox (channel ``web``, the cookie's id as recipient): the web chat is the
outbox's web sender. A read marks them delivered. ``cursor`` is the last outbox id the page
has; without ``after`` the page gets what was not delivered yet. ``wait`` (seconds) makes it a
long poll that answers as soon as a message is there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from huimin.masking import mask_id_text
from workflows.handoffs.conversation import get_resumer
from workflows.handoffs.enums import Sender
from workflows.handoffs.live import FALLBACK_POLL_SECONDS, resident_key
from workflows.handoffs.models import HandoffMessage
from workflows.handoffs.resident import take_resident_message
from workflows.outbox import service as outbox
from workflows.outbox.enums import OutboxStatus
from workflows.outbox.models import OutboxMessage

CHANNEL = "web"
MAX_BATCH = 100


def take(request: Request, web_id: str, text: str) -> dict[str, Any] | None:
    """Store the message on the open hand-off of this browser; None when there is none."""
    state = request.app.state
    with state.session_factory() as session:
        result = take_resident_message(
            session,
            channel=CHANNEL,
            channel_user_id=web_id,
            text=text,
            now=state.clock.now(),
            hub=state.live_hub,
            resumer=get_resumer(request),
        )
    if not result.accepted or result.handoff is None:
        return None
    return result.handoff.model_dump()


def _read(session: Session, web_id: str, after: int | None, now: dt.datetime) -> dict[str, Any]:
    query = (
        select(OutboxMessage, HandoffMessage.sender)
        .outerjoin(HandoffMessage, HandoffMessage.id == OutboxMessage.handoff_message_id)
        .where(OutboxMessage.channel == CHANNEL, OutboxMessage.channel_user_id == web_id)
        .order_by(OutboxMessage.id)
        .limit(MAX_BATCH)
    )
    if after is None:
        query = query.where(OutboxMessage.status == OutboxStatus.PENDING.value)
    else:
        query = query.where(OutboxMessage.id > after)
    rows = session.execute(query).all()
    messages = []
    for message, sender in rows:
        if message.status == OutboxStatus.PENDING.value:
            outbox.mark_delivered(session, message=message, now=now)
        messages.append(
            {
                "id": message.id,
                "from": "staff" if sender == Sender.STAFF.value else "system",
                "text": mask_id_text(message.text),
                "at": message.created_at.isoformat(),
            }
        )
    session.commit()
    cursor = rows[-1][0].id if rows else after
    return {
        "messages": messages,
        "cursor": cursor if cursor is not None else _last_id(session, web_id),
    }


def _last_id(session: Session, web_id: str) -> int:
    last = session.scalar(
        select(OutboxMessage.id)
        .where(OutboxMessage.channel == CHANNEL, OutboxMessage.channel_user_id == web_id)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    return int(last or 0)


def read_once(request: Request, web_id: str, after: int | None) -> dict[str, Any]:
    state = request.app.state
    with state.session_factory() as session:
        return _read(session, web_id, after, state.clock.now())


async def updates(request: Request, web_id: str, after: int | None, wait: float) -> dict[str, Any]:
    """Answer at once when there is something (or ``wait`` is 0), else when it arrives."""
    hub = request.app.state.live_hub
    deadline = time.monotonic() + wait
    key = resident_key(CHANNEL, web_id)
    while True:
        answer = await run_in_threadpool(read_once, request, web_id, after)
        remaining = deadline - time.monotonic()
        if answer["messages"] or remaining <= 0:
            return answer
        after = answer["cursor"]
        if await request.is_disconnected():
            return answer
        await hub.wait(key, min(remaining, FALLBACK_POLL_SECONDS))
        await asyncio.sleep(0)
