"""Recording a visit: the date, the way, who was seen, findings and risk flags. A risk flag
becomes a hardship lead (workflows/leads) in the same transaction; an urgent one also tells the
township at once through the outbox (channel ``township``, user id = the township code)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from workflows.audit import service as audit
from workflows.errors import ServiceError
from workflows.leads import service as leads
from workflows.leads.schemas import LeadIn
from workflows.outbox import service as outbox
from workflows.visits import snapshots
from workflows.visits.enums import URGENT_FLAGS, RiskFlag, VisitWay
from workflows.visits.models import Visit, VisitTarget
from workflows.visits.rate import month_key

TOWNSHIP_CHANNEL = "township"


class VisitDateError(ServiceError):
    status_code = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)

    def content(self) -> dict[str, object]:
        return {"detail": [{"loc": ["body", "visited_on"], "msg": self.message}]}


def note_visit_day(session: Session, *, target_id: int, day: dt.date) -> None:
    """Keep ``last_visited_on`` the latest visit date (one atomic statement: concurrent visits
    of the same target keep the later date)."""
    session.execute(
        update(VisitTarget)
        .where(
            VisitTarget.id == target_id,
            or_(VisitTarget.last_visited_on.is_(None), VisitTarget.last_visited_on < day),
        )
        .values(last_visited_on=day)
        .execution_options(synchronize_session="fetch")
    )


def record(
    session: Session,
    *,
    target: VisitTarget,
    visited_on: dt.date,
    way: VisitWay,
    seen: str,
    findings: str,
    flags: list[RiskFlag],
    worker: str,
    today: dt.date,
    now: dt.datetime,
) -> Visit:
    if visited_on > today:
        raise VisitDateError("探访日期不能晚于今天")
    if visited_on < target.added_on or (
        target.removed_on is not None and visited_on >= target.removed_on
    ):
        raise VisitDateError("探访日期不在该对象列入探访名单的期间内")
    visit = Visit(
        target_id=target.id,
        visited_on=visited_on,
        visit_month=month_key(visited_on),
        way=way.value,
        worker_username=worker,
        seen=seen,
        findings=findings,
        risk_flags=[f.value for f in flags],
        created_at=now,
    )
    session.add(visit)
    session.flush()
    note_visit_day(session, target_id=target.id, day=visited_on)
    if visit.visit_month < month_key(today):
        snapshots.invalidate(session, month_key=visit.visit_month)  # a late record
    lead_number = None
    if flags:
        urgent = any(f in URGENT_FLAGS for f in flags)
        labels = "、".join(f.label for f in flags)
        lead = leads.create(
            session,
            body=LeadIn(
                channel="visit",
                channel_user_id=worker,
                township_code=target.township_code,
                address=" ".join(p for p in (target.village, target.address, target.name) if p),
                description=f"探访发现:{labels}。{findings}".strip(),
                contact_phone=target.phone,
                urgent=urgent,
            ),
            now=now,
        )
        visit.lead_id = lead.id
        lead_number = lead.number
        if urgent:
            outbox.enqueue(
                session,
                channel=TOWNSHIP_CHANNEL,
                channel_user_id=target.township_code,
                text=(
                    f"紧急探访线索 {lead.number}:{target.village or '未分配村社'}{target.name},"
                    f"{labels}。请立即安排处置。"
                ),
                now=now,
            )
    audit.record(
        session,
        actor=f"staff:{worker}",
        action="visit.recorded",
        entity_type="visit",
        entity_id=visit.id,
        data={
            "target_id": target.id,
            "visited_on": visited_on.isoformat(),
            "way": way.value,
            "risk_flags": visit.risk_flags,
            "lead": lead_number,
        },
        at=now,
    )
    return visit
