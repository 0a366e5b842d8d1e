"""GET /api/discovery/findings (case staff, own township: the rule that fired);
POST /api/discovery/findings/{id}/decide (confirm or dismiss a finding awaiting staff)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from huimin import idcard
from workflows.auth.deps import CaseStaff
from workflows.deps import ClockDep, IdPath, SessionDep
from workflows.discovery import service
from workflows.discovery.models import Finding
from workflows.validation import ChineseMessages

router = APIRouter(tags=["discovery"])


class FindingOut(BaseModel):
    id: int
    rule: str
    rule_label: str
    program: str
    program_label: str
    name: str
    id_number: str  # masked
    township_code: str
    status: str
    found_on: dt.date
    application_id: int | None
    visit_target_id: int | None


class DecideIn(ChineseMessages):
    model_config = ConfigDict(str_strip_whitespace=True)

    decision: Literal["confirm", "dismiss"]
    note: str = Field(default="", max_length=1000)


def _out(f: Finding) -> FindingOut:
    return FindingOut(
        id=f.id,
        rule=f.rule,
        rule_label=service.rule_label(f.rule),
        program=f.program,
        program_label=service.program_label(f.program),
        name=f.name,
        id_number=idcard.mask(f.id_number),
        township_code=f.township_code,
        status=f.status,
        found_on=f.found_on,
        application_id=f.application_id,
        visit_target_id=f.visit_target_id,
    )


@router.get("/api/discovery/findings", response_model=list[FindingOut])
def findings(
    staff: CaseStaff,
    session: SessionDep,
    status: Annotated[Literal["told", "awaiting", "confirmed", "dismissed"] | None, Query()] = None,
) -> list[FindingOut]:
    rows = service.listing(session, township_scope=staff.township_scope, status=status)
    return [_out(f) for f in rows]


@router.post("/api/discovery/findings/{finding_id}/decide", response_model=FindingOut)
def decide(
    finding_id: IdPath, body: DecideIn, staff: CaseStaff, session: SessionDep, clock: ClockDep
) -> FindingOut:
    assert staff.staff is not None
    finding = service.decide(
        session,
        finding_id=finding_id,
        township_scope=staff.township_scope,
        confirm=body.decision == "confirm",
        note=body.note,
        actor=staff.audit_name,
        username=staff.staff.username,
        now=clock.now(),
    )
    session.commit()
    return _out(finding)
