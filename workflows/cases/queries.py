"""Reading cases: visibility by township, one case, the queue (one page, by due date)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, literal, not_, or_, select, true, union_all
from sqlalchemy.orm import Session, selectinload

from huimin.programs import Program
from workflows.auth.actor import Caller
from workflows.cases.enums import DECIDED, CaseStatus
from workflows.cases.errors import CaseNotFoundError
from workflows.cases.models import CaseForward, ProgramCase

_DECIDED_VALUES = tuple(s.value for s in DECIDED)


def visible_to(township_code: str) -> ColumnElement[bool]:
    """Cases a township sees: handled or received there, or forwarded to or from it."""
    forwarded = select(CaseForward.case_id).where(
        or_(
            CaseForward.from_township_code == township_code,
            CaseForward.to_township_code == township_code,
        )
    )
    return or_(
        ProgramCase.handling_township_code == township_code,
        ProgramCase.submitted_township_code == township_code,
        ProgramCase.id.in_(forwarded),
    )


def get_visible(session: Session, *, case_id: int, caller: Caller) -> ProgramCase | None:
    query = (
        select(ProgramCase)
        .where(ProgramCase.id == case_id)
        .options(selectinload(ProgramCase.application), selectinload(ProgramCase.forwards))
    )
    if caller.township_scope is not None:
        query = query.where(visible_to(caller.township_scope))
    return session.scalar(query)


def visible_case(session: Session, *, case_id: int, caller: Caller) -> ProgramCase:
    """The case, or CaseNotFoundError (also when it is outside the caller's township)."""
    case = get_visible(session, case_id=case_id, caller=caller)
    if case is None:
        raise CaseNotFoundError()
    return case


def _not_decided() -> ColumnElement[bool]:
    """status NOT IN (decided), with the values inlined so PostgreSQL matches the open-only
    partial indexes (their predicate is the same literal list) even for a prepared statement."""
    return ProgramCase.status.not_in([literal(v, literal_execute=True) for v in _DECIDED_VALUES])


def overdue_clause(today: dt.date) -> ColumnElement[bool]:
    return and_(
        ProgramCase.due_date < today,
        _not_decided(),
        ProgramCase.paused_since.is_(None),
    )


def _visibility_branches(
    session: Session, township_code: str, filters: Sequence[ColumnElement[bool]]
) -> list[ColumnElement[bool]]:
    """visible_to() as disjoint conditions, each walkable on its own (township, due_date) index.

    Cases that only a forward makes visible are few: their ids (with the caller's filters) are
    read first, so they are fetched by key instead of scanning every case in due-date order
    (scripts/bench_workflows.py).
    """
    handled_here = ProgramCase.handling_township_code == township_code
    received_here = and_(
        ProgramCase.submitted_township_code == township_code,
        ProgramCase.handling_township_code != township_code,
    )
    branches: list[ColumnElement[bool]] = [handled_here, received_here]
    forwarded_only = session.scalars(
        select(CaseForward.case_id)
        .join(ProgramCase, ProgramCase.id == CaseForward.case_id)
        .where(
            or_(
                CaseForward.from_township_code == township_code,
                CaseForward.to_township_code == township_code,
            ),
            ProgramCase.handling_township_code != township_code,
            ProgramCase.submitted_township_code != township_code,
            *filters,
        )
        .distinct()
    ).all()
    if forwarded_only:
        branches.append(ProgramCase.id.in_(forwarded_only))
    return branches


COUNT_CAP = 1000
"""Queue totals are counted up to this many; above it the API says total_capped (shown "1000+")."""


@dataclass(frozen=True)
class CaseListing:
    items: Sequence[ProgramCase]
    total: int
    """Exact when total_capped is false; otherwise the cap (there are more)."""
    total_capped: bool


def list_cases(
    session: Session,
    *,
    caller: Caller,
    today: dt.date,
    status: CaseStatus | None = None,
    program: Program | None = None,
    township_code: str | None = None,
    overdue: bool | None = None,
    include_closed: bool = False,
    page: int = 1,
    page_size: int = 20,
    count_cap: int = COUNT_CAP,
) -> CaseListing:
    """One page of the cases the caller may see, by due date, and how many there are.

    Without a status filter only open cases are listed unless include_closed is set (a queue
    is work to do; the whole history is an explicit choice). The total is exact up to
    count_cap; beyond it total_capped is set and total is count_cap.
    """
    filters: list[ColumnElement[bool]] = []
    if status is not None:
        filters.append(ProgramCase.status == status.value)
    elif not include_closed:
        filters.append(_not_decided())
    if program is not None:
        filters.append(ProgramCase.program == program.value)
    if township_code is not None:
        filters.append(ProgramCase.handling_township_code == township_code)
    if overdue is True:
        filters.append(overdue_clause(today))
    elif overdue is False:
        filters.append(not_(overdue_clause(today)))
    scope = caller.township_scope
    branches = _visibility_branches(session, scope, filters) if scope is not None else [true()]
    counts = session.execute(
        select(
            *(
                select(func.count())
                .select_from(
                    select(ProgramCase.id).where(branch, *filters).limit(count_cap + 1).subquery()
                )
                .scalar_subquery()
                for branch in branches
            )
        )
    ).one()
    counted = int(sum(counts))
    window = page * page_size
    walked = [
        select(ProgramCase.id, ProgramCase.due_date)
        .where(branch, *filters)
        .order_by(ProgramCase.due_date, ProgramCase.id)
        .limit(window)
        .subquery()
        for branch in branches[:2]
    ]
    # visible only through a forward: few ids, read by key (no ORDER BY/LIMIT to walk an index)
    by_key = [
        select(ProgramCase.id, ProgramCase.due_date).where(branch, *filters).subquery()
        for branch in branches[2:]
    ]
    parts = walked + by_key
    if len(parts) == 1:
        only = parts[0]
        ids = session.scalars(
            select(only.c.id)
            .order_by(only.c.due_date, only.c.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
    else:
        merged = union_all(*(select(part.c.id, part.c.due_date) for part in parts)).subquery()
        ids = session.scalars(
            select(merged.c.id)
            .order_by(merged.c.due_date, merged.c.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
    items = session.scalars(
        select(ProgramCase)
        .where(ProgramCase.id.in_(ids))
        .options(selectinload(ProgramCase.application))
        .order_by(ProgramCase.due_date, ProgramCase.id)
    ).all()
    return CaseListing(items=items, total=min(counted, count_cap), total_capped=counted > count_cap)
