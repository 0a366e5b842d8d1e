"""Record hardship leads; list them for a township."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.audit import service as audit
from workflows.clock import LOCAL_TZ
from workflows.leads.models import Lead
from workflows.leads.schemas import LeadIn
from workflows.numbering.service import next_number

NUMBER_PREFIX = "XS"


def create(session: Session, *, body: LeadIn, now: dt.datetime) -> Lead:
    lead = Lead(
        number=next_number(session, prefix=NUMBER_PREFIX, day=now.astimezone(LOCAL_TZ).date()),
        channel=body.channel,
        channel_user_id=body.channel_user_id,
        township_code=body.township_code,
        address=body.address,
        description=body.description,
        contact_phone=body.contact_phone,
        urgent=body.urgent,
        status="open",
        created_at=now,
    )
    session.add(lead)
    session.flush()
    audit.record(
        session,
        actor=f"internal:{body.channel}",
        action="lead.reported",
        entity_type="lead",
        entity_id=lead.id,
        data={"number": lead.number, "township_code": lead.township_code, "urgent": lead.urgent},
        at=now,
    )
    return lead


def list_for(session: Session, *, township_code: str | None) -> Sequence[Lead]:
    query = select(Lead).order_by(Lead.urgent.desc(), Lead.id.desc())
    if township_code is not None:
        query = query.where(Lead.township_code == township_code)
    return session.scalars(query).all()
