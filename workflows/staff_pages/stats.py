"""Dashboard figures over the cases a staff member may see."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from huimin.programs import Program
from workflows.auth.actor import Caller
from workflows.cases import queries
from workflows.cases.enums import DECIDED, CaseStatus
from workflows.cases.env import township_name
from workflows.cases.models import ProgramCase
from workflows.clock import LOCAL_TZ
from workflows.deadlines.calendar import WorkingDays


@dataclass(frozen=True)
class UrgentOverdue:
    """An open 先行救助 case whose paperwork is past its deadline."""

    case_id: int
    application_number: str
    township: str
    urgent_granted_on: dt.date
    paperwork_due_date: dt.date


@dataclass(frozen=True)
class Dashboard:
    total: int
    by_status: list[tuple[str, int]]
    by_program: list[tuple[str, int]]
    by_township: list[tuple[str, int]]
    decided: int
    median_days_to_decision: float | None
    open_cases: int
    overdue_open: int
    urgent_overdue: list[UrgentOverdue]

    @property
    def overdue_rate(self) -> float | None:
        return self.overdue_open / self.open_cases if self.open_cases else None


def dashboard(
    session: Session, *, caller: Caller, today: dt.date, calendar: WorkingDays
) -> Dashboard:
    query = select(ProgramCase)
    if caller.township_scope is not None:
        query = query.where(queries.visible_to(caller.township_scope))
    cases = session.scalars(query).all()
    overdue_query = select(ProgramCase.id).where(queries.overdue_clause(today))
    if caller.township_scope is not None:
        overdue_query = overdue_query.where(queries.visible_to(caller.township_scope))
    overdue_ids = set(session.scalars(overdue_query).all())

    statuses = Counter(case.status for case in cases)
    programs = Counter(case.program for case in cases)
    places = Counter(case.handling_township_code for case in cases)
    durations = []
    for case in cases:
        if case.decided_at is not None:
            decided_on = case.decided_at.astimezone(LOCAL_TZ).date()
            used = calendar.working_days_between(case.started_on, decided_on)
            durations.append(max(0, used - case.paused_working_days))
    open_cases = [c for c in cases if CaseStatus(c.status) not in DECIDED]
    urgent_overdue = [
        UrgentOverdue(
            case_id=c.id,
            application_number=c.application.number,
            township=township_name(c.handling_township_code),
            urgent_granted_on=c.urgent_granted_on,
            paperwork_due_date=c.paperwork_due_date,
        )
        for c in sorted(open_cases, key=lambda c: (c.paperwork_due_date or today, c.id))
        if c.urgent_granted_on is not None
        and c.paperwork_due_date is not None
        and c.paperwork_due_date < today
    ]
    return Dashboard(
        total=len(cases),
        by_status=[(s.label, statuses[s.value]) for s in CaseStatus if statuses[s.value]],
        by_program=[(p.label, programs[p.value]) for p in Program if programs[p.value]],
        by_township=sorted(
            ((township_name(code), n) for code, n in places.items()),
            key=lambda item: (-item[1], item[0]),
        ),
        decided=len(durations),
        median_days_to_decision=statistics.median(durations) if durations else None,
        open_cases=len(open_cases),
        overdue_open=len(overdue_ids),
        urgent_overdue=urgent_overdue,
    )
