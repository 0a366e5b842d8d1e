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

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, tuple_
from sqlalchemy.orm import Session

from workflows.visits.enums import TargetCategory
from workflows.visits.models import Visit, VisitTarget


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


def _on_roster(month: Month, grace_days: int) -> ColumnElement[bool]:
    cutoff = month.last - dt.timedelta(days=grace_days)
    return and_(
        VisitTarget.added_on <= cutoff,
        or_(VisitTarget.removed_on.is_(None), VisitTarget.removed_on > month.last),
    )


def _counted_expr(
    month: Month, grace_days: int, visited: ColumnElement[bool]
) -> ColumnElement[bool]:
    return or_(visited, _on_roster(month, grace_days))


def _visited_expr(
    month: Month, latest: bool, whole_roster: bool = True
) -> tuple[ColumnElement[bool], Any]:
    """(visited in ``month``, the visited subquery to join or None).

    ``latest``: ``month`` is the current month (or later): no visit is dated after it, so a
    target was visited in it exactly when its ``last_visited_on`` falls in it; the visits table
    is not read. Earlier months: over the whole roster, join the month's distinct visited
    targets; within a scope (a few villages), probe the (month, target) index per target.
    """
    if latest:
        return VisitTarget.last_visited_on >= month.first, None
    if not whole_roster:
        probe = (
            select(Visit.id)
            .where(Visit.visit_month == month.key, Visit.target_id == VisitTarget.id)
            .correlate(VisitTarget)
            .exists()
        )
        return probe, None
    visited = _visited(month)
    return visited.c.target_id.is_not(None), visited


def _frame(
    month: Month,
    grace_days: int,
    scope: ColumnElement[bool] | None,
    columns: list[Any],
    visited_now: ColumnElement[bool],
    joined: Any,
) -> Select[Any]:
    query = select(*columns).select_from(VisitTarget)
    if joined is not None:
        query = query.outerjoin(joined, joined.c.target_id == VisitTarget.id)
    query = query.where(_counted_expr(month, grace_days, visited_now))
    return query if scope is None else query.where(scope)


def _ones(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def base_query(
    month: Month,
    grace_days: int,
    scope: ColumnElement[bool] | None,
    *group: Any,
    latest: bool = False,
) -> Select[Any]:
    """SELECT *group, targets, visited … for ``month`` (the caller adds GROUP BY)."""
    visited_now, joined = _visited_expr(month, latest, whole_roster=scope is None)
    columns = [*group, func.count(), _ones(visited_now)]
    return _frame(month, grace_days, scope, columns, visited_now, joined)


def category_bit(category: TargetCategory) -> int:
    """The category's bit in ``visit_targets.category_mask`` (enum order: append only)."""
    return 1 << list(TargetCategory).index(category)


def mask_of(categories: Any) -> int:
    mask = 0
    for category in categories:
        mask |= category_bit(TargetCategory(category))
    return mask


def categories_of_mask(mask: int) -> list[str]:
    return [c.value for c in TargetCategory if mask & category_bit(c)]


def _expand(rows: Any) -> dict[tuple[Any, ...], dict[str, list[int]]]:
    """Rows of (*key, category_mask, targets, visited) summed per key and category."""
    found: dict[tuple[Any, ...], dict[str, list[int]]] = {}
    for row in rows:
        *key, mask, targets, visited = row
        per = found.setdefault(tuple(key), {})
        for code in categories_of_mask(int(mask or 0)):
            pair = per.setdefault(code, [0, 0])
            pair[0] += int(targets)
            pair[1] += int(visited)
    return found


@dataclass(frozen=True)
class AreaCounts:
    township_code: str
    village: str
    total: Rate
    by_category: dict[str, Rate]


def by_area_and_category(
    session: Session,
    *,
    month: Month,
    grace_days: int,
    scope: ColumnElement[bool] | None,
    latest: bool = False,
    per_village_categories: bool = False,
) -> list[AreaCounts]:
    """Every village's totals, and the categories: per village when asked (the monthly
    summaries), else once for the whole scope (on the first AreaCounts, township "").

    Categories come from ``category_mask`` grouped by mask (a few dozen distinct values) and
    are expanded here: two passes over the roster with two aggregates each, no join.
    """
    places = (VisitTarget.township_code, VisitTarget.village)
    bind = session.get_bind()
    if not per_village_categories and bind.dialect.name == "postgresql":
        return _one_pass(session, month, grace_days, scope, latest)
    areas = base_query(month, grace_days, scope, *places, latest=latest).group_by(*places)
    totals = [
        AreaCounts(str(t), str(v), Rate(int(n), int(d)), {})
        for t, v, n, d in session.execute(areas)
    ]
    if per_village_categories:
        return _per_village_categories(session, month, grace_days, scope, latest, totals)
    masks = base_query(month, grace_days, scope, VisitTarget.category_mask, latest=latest)
    expanded = _expand(session.execute(masks.group_by(VisitTarget.category_mask)))
    per = expanded.get((), {})
    whole = AreaCounts("", "", Rate(0, 0), {c: Rate(v[0], v[1]) for c, v in per.items()})
    return [whole, *totals]


def _one_pass(
    session: Session,
    month: Month,
    grace_days: int,
    scope: ColumnElement[bool] | None,
    latest: bool,
) -> list[AreaCounts]:
    """PostgreSQL: villages and masks in one scan (GROUPING SETS); the columns are NOT NULL,
    so a NULL marks the other grouping set's rows."""
    township, village, mask = (
        VisitTarget.township_code,
        VisitTarget.village,
        VisitTarget.category_mask,
    )
    query = base_query(month, grace_days, scope, township, village, mask, latest=latest).group_by(
        func.grouping_sets(tuple_(township, village), tuple_(mask))
    )
    totals: list[AreaCounts] = []
    per: dict[str, list[int]] = {}
    for code, place, bits, targets, visited in session.execute(query):
        if bits is None:
            totals.append(AreaCounts(str(code), str(place), Rate(int(targets), int(visited)), {}))
            continue
        for category in categories_of_mask(int(bits)):
            pair = per.setdefault(category, [0, 0])
            pair[0] += int(targets)
            pair[1] += int(visited)
    whole = AreaCounts("", "", Rate(0, 0), {c: Rate(v[0], v[1]) for c, v in per.items()})
    return [whole, *totals]


def _per_village_categories(
    session: Session,
    month: Month,
    grace_days: int,
    scope: ColumnElement[bool] | None,
    latest: bool,
    totals: list[AreaCounts],
) -> list[AreaCounts]:
    """Per village and category: one pass with two sums per category (a village's masks are
    too many distinct groups to group by)."""
    visited_now, joined = _visited_expr(month, latest, whole_roster=scope is None)
    columns: list[Any] = [VisitTarget.township_code, VisitTarget.village]
    for category in TargetCategory:
        has = VisitTarget.category_mask.op("&")(category_bit(category)) != 0
        columns += [_ones(has), _ones(and_(has, visited_now))]
    query = _frame(month, grace_days, scope, columns, visited_now, joined).group_by(
        VisitTarget.township_code, VisitTarget.village
    )
    found: dict[tuple[str, str], dict[str, Rate]] = {}
    for row in session.execute(query):
        per: dict[str, Rate] = {}
        for i, category in enumerate(TargetCategory):
            targets, visited = int(row[2 + 2 * i]), int(row[3 + 2 * i])
            if targets:
                per[category.value] = Rate(targets, visited)
        found[(str(row[0]), str(row[1]))] = per
    return [
        AreaCounts(a.township_code, a.village, a.total, found.get((a.township_code, a.village), {}))
        for a in totals
    ]


def split(areas: list[AreaCounts]) -> tuple[list[tuple[str, str, Rate]], dict[str, Rate]]:
    """(villages worst first, categories in their order) from ``by_area_and_category``."""
    villages = sorted(
        ((a.township_code, a.village, a.total) for a in areas if a.village or a.township_code),
        key=lambda r: (r[2].rate, -r[2].targets, r[0], r[1]),
    )
    sums: dict[str, list[int]] = {}
    for area in areas:
        for code, r in area.by_category.items():
            pair = sums.setdefault(code, [0, 0])
            pair[0] += r.targets
            pair[1] += r.visited
    return villages, ordered_categories({c: Rate(v[0], v[1]) for c, v in sums.items()})


def ordered_categories(found: dict[str, Rate]) -> dict[str, Rate]:
    return {c.value: found[c.value] for c in TargetCategory if c.value in found}


def total_of(areas: list[tuple[str, str, Rate]]) -> Rate:
    return Rate(sum(r.targets for *_, r in areas), sum(r.visited for *_, r in areas))


def is_latest(month: Month, today: dt.date) -> bool:
    """``month`` is the current month or later: no visit is dated after it."""
    return month.key >= Month.of(today).key


def overall(
    session: Session,
    *,
    month: Month,
    grace_days: int,
    scope: ColumnElement[bool],
    latest: bool = False,
) -> Rate:
    row = session.execute(base_query(month, grace_days, scope, latest=latest)).one()
    return Rate(targets=int(row[0]), visited=int(row[1] or 0))


def overdue(
    session: Session,
    *,
    month: Month,
    grace_days: int,
    scope: ColumnElement[bool],
    latest: bool = False,
    limit: int = 200,
) -> list[tuple[VisitTarget, dt.date | None]]:
    """Counted targets not visited in ``month``, longest without a visit first (the current
    month reads ``last_visited_on``; an earlier one joins that month's visited targets)."""
    if latest:
        query = select(VisitTarget, VisitTarget.last_visited_on).where(
            scope,
            or_(VisitTarget.last_visited_on.is_(None), VisitTarget.last_visited_on < month.first),
            _on_roster(month, grace_days),
        )
    else:
        visited = _visited(month)
        query = (
            select(VisitTarget, VisitTarget.last_visited_on)
            .outerjoin(visited, visited.c.target_id == VisitTarget.id)
            .where(scope, visited.c.target_id.is_(None), _on_roster(month, grace_days))
        )
    query = query.order_by(VisitTarget.last_visited_on.asc().nulls_first(), VisitTarget.id).limit(
        limit
    )
    return [(row[0], row[1]) for row in session.execute(query)]
