"""The monthly visit rate (月探访率) against the 100% target ([TFGA], [PLAN]).

Counting rule for month M (a calendar month in local time; holidays change nothing: the target is
one visit per calendar month, so a month with a long holiday has the same target):

- A target **counts** for M when it was visited in M (whatever happened to it later), or when it
  was on the roster at M's last day **and** was added at least ``visit_new_target_grace_days``
  days before that day. So a target added in M's last days (too late to be visited) counts from
  the next month, and a target removed during M (moved away, died) without a visit does not count.
- A counted target is **visited** when at least one visit has ``visited_on`` in M; several visits
  in one month count once.
- rate = visited / targets (1.0 when there are no targets).
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from workflows.visits.enums import TargetCategory
from workflows.visits.models import TargetCategoryRow, Visit, VisitTarget


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """ "2026-11" (ValueError with a Chinese reason otherwise)."""
        try:
            year_text, month_text = text.split("-")
            value = cls(int(year_text), int(month_text))
        except ValueError:
            raise ValueError("月份格式应为 YYYY-MM,例如 2026-11") from None
        if not (1 <= value.month <= 12 and 2000 <= value.year <= 2100):
            raise ValueError("月份格式应为 YYYY-MM,例如 2026-11")
        return value

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def key(self) -> int:
        return self.year * 100 + self.month

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return dt.date(self.year, self.month, cal.monthrange(self.year, self.month)[1])

    def previous(self, count: int = 1) -> Month:
        index = self.year * 12 + self.month - 1 - count
        return Month(index // 12, index % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def month_key(day: dt.date) -> int:
    return day.year * 100 + day.month


@dataclass(frozen=True)
class Rate:
    targets: int
    visited: int

    @property
    def rate(self) -> float:
        return 1.0 if self.targets == 0 else round(self.visited / self.targets, 4)


def _visited(month: Month):  # type: ignore[no-untyped-def]
    return (
        select(Visit.target_id.label("target_id"))
        .where(Visit.visit_month == month.key)
        .distinct()
        .subquery("visited")
    )


def _counted(month: Month, grace_days: int, visited_id: ColumnElement[int]) -> ColumnElement[bool]:
    cutoff = month.last - dt.timedelta(days=grace_days)
    on_roster = and_(
        VisitTarget.added_on <= cutoff,
        or_(VisitTarget.removed_on.is_(None), VisitTarget.removed_on > month.last),
    )
    return or_(visited_id.is_not(None), on_roster)


def _base(month: Month, grace_days: int, scope: ColumnElement[bool], *group: Any) -> Select[Any]:
    visited = _visited(month)
    return (
        select(*group, func.count(), func.count(visited.c.target_id))
        .select_from(VisitTarget)
        .outerjoin(visited, visited.c.target_id == VisitTarget.id)
        .where(scope, _counted(month, grace_days, visited.c.target_id))
    )


def overall(session: Session, *, month: Month, grace_days: int, scope: ColumnElement[bool]) -> Rate:
    row = session.execute(_base(month, grace_days, scope)).one()
    return Rate(targets=int(row[0]), visited=int(row[1]))


def by_category(
    session: Session, *, month: Month, grace_days: int, scope: ColumnElement[bool]
) -> dict[str, Rate]:
    query = (
        _base(month, grace_days, scope, TargetCategoryRow.category)
        .join(TargetCategoryRow, TargetCategoryRow.target_id == VisitTarget.id)
        .group_by(TargetCategoryRow.category)
    )
    found = {str(r[0]): Rate(int(r[1]), int(r[2])) for r in session.execute(query)}
    return {c.value: found[c.value] for c in TargetCategory if c.value in found}


def by_area(
    session: Session, *, month: Month, grace_days: int, scope: ColumnElement[bool]
) -> list[tuple[str, str, Rate]]:
    """(township code, village, rate) per village, worst first."""
    query = _base(
        month, grace_days, scope, VisitTarget.township_code, VisitTarget.village
    ).group_by(VisitTarget.township_code, VisitTarget.village)
    rows = [(str(r[0]), str(r[1]), Rate(int(r[2]), int(r[3]))) for r in session.execute(query)]
    return sorted(rows, key=lambda r: (r[2].rate, -r[2].targets, r[0], r[1]))


def by_township(
    session: Session, *, month: Month, grace_days: int, scope: ColumnElement[bool]
) -> list[tuple[str, Rate]]:
    query = _base(month, grace_days, scope, VisitTarget.township_code).group_by(
        VisitTarget.township_code
    )
    rows = [(str(r[0]), Rate(int(r[1]), int(r[2]))) for r in session.execute(query)]
    return sorted(rows, key=lambda r: (r[1].rate, r[0]))


def trend(
    session: Session, *, last: Month, months: int, grace_days: int, scope: ColumnElement[bool]
) -> list[tuple[Month, Rate]]:
    wanted = [last.previous(i) for i in reversed(range(months))]
    return [(m, overall(session, month=m, grace_days=grace_days, scope=scope)) for m in wanted]


def overdue(
    session: Session,
    *,
    month: Month,
    grace_days: int,
    scope: ColumnElement[bool],
    limit: int = 200,
) -> list[tuple[VisitTarget, dt.date | None]]:
    """Counted targets not yet visited in ``month``, longest without a visit first."""
    visited = _visited(month)
    last_visit = (
        select(func.max(Visit.visited_on))
        .where(Visit.target_id == VisitTarget.id)
        .correlate(VisitTarget)
        .scalar_subquery()
    )
    query = (
        select(VisitTarget, last_visit)
        .outerjoin(visited, visited.c.target_id == VisitTarget.id)
        .where(
            scope, visited.c.target_id.is_(None), _counted(month, grace_days, visited.c.target_id)
        )
        .order_by(last_visit.asc().nulls_first(), VisitTarget.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in session.execute(query)]
