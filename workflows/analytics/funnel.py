"""The funnel over the last N ISO weeks (Asia/Shanghai), optionally for one channel.

Cohorts: a conversation belongs to the week it started in, and its steps count there even when
reached later. Nothing here is per household or per township (the tables hold neither), so the
figures are the district's: no township scoping applies.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from workflows.analytics import keys, steps
from workflows.analytics.models import AnalyticsConversation, AnalyticsStep

MAX_WEEKS = 52


@dataclass(frozen=True)
class StepCount:
    step: str
    label: str
    count: int
    conditional: bool = False


@dataclass(frozen=True)
class DropOff:
    from_step: str
    from_label: str
    to_step: str
    to_label: str
    lost: int
    rate: float  # lost / count at from_step


@dataclass(frozen=True)
class WeekRow:
    week: str
    week_start: dt.date
    started: int
    application_begun: int
    submitted: int
    handed_off: int


@dataclass(frozen=True)
class Funnel:
    weeks: int
    first_week_start: dt.date
    channel: str | None
    steps: list[StepCount]
    outcomes: list[StepCount]
    drop_off: DropOff | None
    by_week: list[WeekRow] = field(default_factory=list)
    by_channel: dict[str, int] = field(default_factory=dict)  # conversations started


def drop_off(counts: list[StepCount]) -> DropOff | None:
    """The largest fall between consecutive steps every applicant is asked (conditional
    questions skipped); None when nobody fell between any of them."""
    chain = [c for c in counts if not c.conditional]
    best: DropOff | None = None
    for before, after in itertools.pairwise(chain):
        lost = before.count - after.count
        if lost > 0 and (best is None or lost > best.lost):
            best = DropOff(
                before.step,
                before.label,
                after.step,
                after.label,
                lost,
                round(lost / before.count, 4),
            )
    return best


def funnel(session: Session, *, weeks: int, channel: str | None, today: dt.date) -> Funnel:
    this_monday = today - dt.timedelta(days=today.weekday())
    first = this_monday - dt.timedelta(weeks=weeks - 1)
    in_range: list[ColumnElement[bool]] = [AnalyticsConversation.week_start >= first]
    if channel:
        in_range.append(AnalyticsConversation.channel == channel)
    started = int(
        session.scalar(select(func.count()).select_from(AnalyticsConversation).where(*in_range))
        or 0
    )
    reached = dict(
        session.execute(
            select(AnalyticsStep.step, func.count())
            .join(AnalyticsConversation, AnalyticsConversation.id == AnalyticsStep.conversation_id)
            .where(*in_range)
            .group_by(AnalyticsStep.step)
        ).all()
    )
    reached[steps.STARTED] = started  # every conversation started (its step row or not)
    counts = [
        StepCount(s.name, s.label, int(reached.get(s.name, 0)), s.conditional) for s in steps.FUNNEL
    ]
    outcomes = [StepCount(s.name, s.label, int(reached.get(s.name, 0))) for s in steps.OUTCOMES]
    return Funnel(
        weeks=weeks,
        first_week_start=first,
        channel=channel,
        steps=counts,
        outcomes=outcomes,
        drop_off=drop_off(counts),
        by_week=_by_week(session, in_range, first, weeks),
        by_channel=_by_channel(session, first),
    )


def _by_week(
    session: Session, in_range: list[ColumnElement[bool]], first: dt.date, weeks: int
) -> list[WeekRow]:
    counted = (steps.APPLICATION_BEGUN, steps.SUBMITTED, steps.HANDED_OFF)
    started = dict(
        session.execute(
            select(AnalyticsConversation.week_start, func.count())
            .where(*in_range)
            .group_by(AnalyticsConversation.week_start)
        ).all()
    )
    per_step: dict[tuple[dt.date, str], int] = {
        (week, step): int(n)
        for week, step, n in session.execute(
            select(AnalyticsConversation.week_start, AnalyticsStep.step, func.count())
            .join(AnalyticsConversation, AnalyticsConversation.id == AnalyticsStep.conversation_id)
            .where(*in_range, AnalyticsStep.step.in_(counted))
            .group_by(AnalyticsConversation.week_start, AnalyticsStep.step)
        ).all()
    }
    rows = []
    for index in range(weeks):
        monday = first + dt.timedelta(weeks=index)
        rows.append(
            WeekRow(
                week=keys.iso_week(monday),
                week_start=monday,
                started=int(started.get(monday, 0)),
                application_begun=per_step.get((monday, steps.APPLICATION_BEGUN), 0),
                submitted=per_step.get((monday, steps.SUBMITTED), 0),
                handed_off=per_step.get((monday, steps.HANDED_OFF), 0),
            )
        )
    return rows


def _by_channel(session: Session, first: dt.date) -> dict[str, int]:
    rows = session.execute(
        select(AnalyticsConversation.channel, func.count())
        .where(AnalyticsConversation.week_start >= first)
        .group_by(AnalyticsConversation.channel)
    ).all()
    return {str(channel or "unknown"): int(n) for channel, n in rows}
