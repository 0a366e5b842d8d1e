"""Reads for the worker's list and the dashboard (scope applied by the caller's clause)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from huimin import idcard
from workflows.visits.models import Visit, VisitTarget
from workflows.visits.rate import Month


@dataclass(frozen=True)
class TargetRow:
    target: VisitTarget
    visited_this_month: bool
    last_visit_on: dt.date | None

    @property
    def masked_id(self) -> str:
        return idcard.mask(self.target.id_number)


def worker_list(
    session: Session, *, scope: ColumnElement[bool], month: Month, limit: int = 500
) -> list[TargetRow]:
    """Targets on the roster in scope during ``month`` (the current month), the unvisited
    first, then by village and name."""
    visited_now = VisitTarget.last_visited_on >= month.first  # the current month: none later
    query = (
        select(VisitTarget, visited_now, VisitTarget.last_visited_on)
        .where(scope, VisitTarget.added_on <= month.last)
        .where((VisitTarget.removed_on.is_(None)) | (VisitTarget.removed_on > month.first))
        .order_by(visited_now.is_(True), VisitTarget.village, VisitTarget.name, VisitTarget.id)
        .limit(limit)
    )
    return [
        TargetRow(target=r[0], visited_this_month=bool(r[1]), last_visit_on=r[2])
        for r in session.execute(query)
    ]


def visits_of(session: Session, *, target_id: int, limit: int = 24) -> list[Visit]:
    return list(
        session.scalars(
            select(Visit)
            .where(Visit.target_id == target_id)
            .order_by(Visit.visited_on.desc(), Visit.id.desc())
            .limit(limit)
        )
    )
