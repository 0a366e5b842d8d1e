"""Side effects of a transition beyond the case row: the resident's notification, written to the
outbox in the caller's transaction (what is sent after which action: workflows/cases/effects.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from workflows.applications.enums import Channel
from workflows.applications.models import Application
from workflows.cases.models import ProgramCase
from workflows.notifications.sms import SMS_CHANNEL, is_mobile
from workflows.outbox import service as outbox


def recipient(application: Application) -> tuple[str, str | None]:
    """Where the resident hears from us: their chat channel, or an SMS to the phone given at the
    counter (no chat identity there). A counter applicant without a mobile number stays on
    "counter", which no worker delivers: staff tell them in person."""
    if application.channel == Channel.COUNTER.value and is_mobile(application.applicant_phone):
        assert application.applicant_phone is not None
        return SMS_CHANNEL, application.applicant_phone.strip()
    return application.channel, application.channel_user_id


def notify_resident(session: Session, *, case: ProgramCase, text: str, now: dt.datetime) -> None:
    """Queue ``text`` for the case's resident (same transaction as the change it reports)."""
    application = case.application
    channel, user_id = recipient(application)
    outbox.enqueue(
        session,
        channel=channel,
        channel_user_id=user_id,
        text=text,
        now=now,
        application_id=application.id,
        application_number=application.number,
        case_id=case.id,
    )
