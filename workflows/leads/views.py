"""POST /api/leads (internal); GET /api/leads (case staff, own township; not advisers)."""

from __future__ import annotations

from fastapi import APIRouter

from workflows.auth.deps import CaseStaff, InternalCaller
from workflows.deps import ClockDep, SessionDep
from workflows.followups.convert import conversions_for
from workflows.leads import service
from workflows.leads.schemas import LeadCreatedOut, LeadIn, LeadOut

router = APIRouter(tags=["leads"])


@router.post("/api/leads", response_model=LeadCreatedOut, status_code=201)
def report(body: LeadIn, _: InternalCaller, session: SessionDep, clock: ClockDep) -> LeadCreatedOut:
    lead = service.create(session, body=body, now=clock.now())
    session.commit()
    return LeadCreatedOut(id=lead.id, number=lead.number, township_code=lead.township_code)


@router.get("/api/leads", response_model=list[LeadOut])
def list_leads(staff: CaseStaff, session: SessionDep) -> list[LeadOut]:
    """Township staff see their township's leads, the supervisor all; advisers are refused."""
    leads = service.list_for(session, township_code=staff.township_scope)
    converted = conversions_for(session, [lead.id for lead in leads])
    return [
        LeadOut(
            id=lead.id,
            number=lead.number,
            township_code=lead.township_code,
            address=lead.address,
            description=lead.description,
            contact_phone=lead.contact_phone,
            urgent=lead.urgent,
            status=lead.status,
            created_at=lead.created_at,
            application_number=(converted[lead.id].number if lead.id in converted else None),
        )
        for lead in leads
    ]
