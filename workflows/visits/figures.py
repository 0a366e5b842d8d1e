"""What the dashboard and ``GET /api/visits/rate`` show for a caller and a month: closed months
of township staff and the district from the monthly summaries, everything else counted live."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from workflows.auth.actor import Caller
from workflows.auth.enums import Role
from workflows.visits import rate, snapshots
from workflows.visits.rate import Month, Rate


@dataclass(frozen=True)
class Figures:
    total: Rate
    by_category: dict[str, Rate]
    by_area: list[tuple[str, str, Rate]]  # worst first


def _summarised(caller: Caller, month: Month, today: dt.date) -> bool:
    return caller.role is not Role.GRID_WORKER and month.key < Month.of(today).key


def figures(
    session: Session,
    *,
    caller: Caller,
    scope: ColumnElement[bool],
    township: str | None,
    month: Month,
    grace_days: int,
    today: dt.date,
    now: dt.datetime,
) -> Figures:
    """``scope``: the caller's visibility narrowed to ``township`` (workflows/visits/scope.py)."""
    if _summarised(caller, month, today):
        snapshots.ensure(session, month=month, grace_days=grace_days, now=now)
        areas = snapshots.areas(session, month=month, township=township)
        categories = snapshots.categories(session, month=month, township=township)
    else:
        areas, categories = rate.split(
            rate.by_area_and_category(
                session,
                month=month,
                grace_days=grace_days,
                scope=scope,
                latest=rate.is_latest(month, today),
            )
        )
    return Figures(total=rate.total_of(areas), by_category=categories, by_area=areas)


def trend(
    session: Session,
    *,
    caller: Caller,
    scope: ColumnElement[bool],
    township: str | None,
    last: Month,
    months: int,
    grace_days: int,
    today: dt.date,
    now: dt.datetime,
    current: Rate | None = None,
) -> list[tuple[Month, Rate]]:
    """Monthly totals up to ``last``; ``current``: ``last``'s total when already counted."""
    wanted = [last.previous(i) for i in reversed(range(months))]
    closed = [m for m in wanted if _summarised(caller, m, today)]
    summary: dict[int, Rate] = {}
    if closed:
        snapshots.ensure_months(session, months=closed, grace_days=grace_days, now=now)
        summary = snapshots.totals(session, months=closed, township=township)
    points: list[tuple[Month, Rate]] = []
    for month in wanted:
        if month == last and current is not None:
            points.append((month, current))
        elif month in closed:
            points.append((month, summary.get(month.key, Rate(0, 0))))
        else:
            latest = rate.is_latest(month, today)
            points.append(
                (
                    month,
                    rate.overall(
                        session, month=month, grace_days=grace_days, scope=scope, latest=latest
                    ),
                )
            )
    return points
