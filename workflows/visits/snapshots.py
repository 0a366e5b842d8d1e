"""Closed months' visit figures, summarised once per month per village and category.

A month before the current (local) one changes only when a visit is recorded late with a date
in it (``invalidate``, called in the same transaction); targets are added and removed from
"today", so they change the current month only. Categories added to a target later do not
rewrite a summarised month. Grid workers' scopes (a few villages plus targets assigned by name)
are always counted live (workflows/visits/rate.py): they are small.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflows.visits import rate
from workflows.visits.models import VisitRateSnapshot
from workflows.visits.rate import Month, Rate

ALL = ""
MARK = "#"


def invalidate(session: Session, *, month_key: int) -> None:
    session.execute(delete(VisitRateSnapshot).where(VisitRateSnapshot.month == month_key))


def _compute(session: Session, month: Month, grace_days: int, now: dt.datetime) -> None:
    rows: list[dict[str, object]] = [
        {"month": month.key, "township_code": "", "village": "", "category": MARK,
         "targets": 0, "visited": 0, "computed_at": now}
    ]  # fmt: skip
    for area in rate.by_area_and_category(
        session, month=month, grace_days=grace_days, scope=None, per_village_categories=True
    ):
        place = {"month": month.key, "township_code": area.township_code, "village": area.village}
        rows.append(
            {**place, "category": ALL, "targets": area.total.targets,
             "visited": area.total.visited, "computed_at": now}
        )  # fmt: skip
        for category, counts in area.by_category.items():
            rows.append(
                {**place, "category": category, "targets": counts.targets,
                 "visited": counts.visited, "computed_at": now}
            )  # fmt: skip
    try:
        with session.begin_nested():
            session.execute(insert(VisitRateSnapshot), rows)
    except IntegrityError:
        pass  # summarised by a concurrent request a moment ago


def ensure_months(
    session: Session, *, months: list[Month], grace_days: int, now: dt.datetime
) -> None:
    """Summarise those of ``months`` not summarised yet (the caller commits)."""
    keys = [m.key for m in months]
    done = set(
        session.scalars(
            select(VisitRateSnapshot.month).where(
                VisitRateSnapshot.month.in_(keys), VisitRateSnapshot.category == MARK
            )
        )
    )
    for month in months:
        if month.key not in done:
            _compute(session, month, grace_days, now)


def ensure(session: Session, *, month: Month, grace_days: int, now: dt.datetime) -> None:
    ensure_months(session, months=[month], grace_days=grace_days, now=now)


def _where(query: Any, township: str | None) -> Any:
    if township is not None:
        query = query.where(VisitRateSnapshot.township_code == township)
    return query


def areas(session: Session, *, month: Month, township: str | None) -> list[tuple[str, str, Rate]]:
    query = select(
        VisitRateSnapshot.township_code,
        VisitRateSnapshot.village,
        VisitRateSnapshot.targets,
        VisitRateSnapshot.visited,
    ).where(VisitRateSnapshot.month == month.key, VisitRateSnapshot.category == ALL)
    found = [
        (str(t), str(v), Rate(int(n), int(d)))
        for t, v, n, d in session.execute(_where(query, township))
    ]
    return sorted(found, key=lambda r: (r[2].rate, -r[2].targets, r[0], r[1]))


def categories(session: Session, *, month: Month, township: str | None) -> dict[str, Rate]:
    query = (
        select(
            VisitRateSnapshot.category,
            func.sum(VisitRateSnapshot.targets),
            func.sum(VisitRateSnapshot.visited),
        )
        .where(
            VisitRateSnapshot.month == month.key,
            VisitRateSnapshot.category.not_in((ALL, MARK)),
        )
        .group_by(VisitRateSnapshot.category)
    )
    found = {str(c): Rate(int(n), int(d)) for c, n, d in session.execute(_where(query, township))}
    return rate.ordered_categories(found)


def totals(session: Session, *, months: list[Month], township: str | None) -> dict[int, Rate]:
    """Each month's total (months without targets: absent)."""
    query = (
        select(
            VisitRateSnapshot.month,
            func.sum(VisitRateSnapshot.targets),
            func.sum(VisitRateSnapshot.visited),
        )
        .where(
            VisitRateSnapshot.month.in_([m.key for m in months]),
            VisitRateSnapshot.category == ALL,
        )
        .group_by(VisitRateSnapshot.month)
    )
    return {int(m): Rate(int(n), int(d)) for m, n, d in session.execute(_where(query, township))}
