"""The case clock in working days: due date, 75% warning, overdue, paused for materials."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from workflows.deadlines.calendar import WorkingDays
from workflows.deadlines.policy import WARN_FRACTION


class DeadlineState(StrEnum):
    ON_TIME = "on_time"
    WARNING = "warning"
    OVERDUE = "overdue"
    PAUSED = "paused"
    FINISHED = "finished"


DEADLINE_LABELS = {
    DeadlineState.ON_TIME: "在时限内",
    DeadlineState.WARNING: "即将到期(已用时限75%以上)",
    DeadlineState.OVERDUE: "已超期",
    DeadlineState.PAUSED: "等待补充材料,时限暂停计算",
    DeadlineState.FINISHED: "已办结",
}


@dataclass(frozen=True)
class Due:
    date: dt.date
    provisional: bool


def due_date(
    calendar: WorkingDays, *, started_on: dt.date, working_days: int, paused_working_days: int
) -> Due:
    """The due date: the allowed working days plus those spent waiting for the resident."""
    due = calendar.add_working_days(started_on, working_days + paused_working_days)
    return Due(date=due.date, provisional=due.provisional)


def paused_days(calendar: WorkingDays, *, since: dt.date, until: dt.date) -> int:
    """Working days spent paused between two dates (0 if resumed the same day)."""
    if until <= since:
        return 0
    return calendar.working_days_between(since, until)


@dataclass(frozen=True)
class ClockReading:
    state: DeadlineState
    used_working_days: int
    allowed_working_days: int

    @property
    def label(self) -> str:
        return DEADLINE_LABELS[self.state]


def read_clock(
    calendar: WorkingDays,
    *,
    today: dt.date,
    started_on: dt.date,
    due_on: dt.date,
    allowed_working_days: int,
    paused_working_days: int,
    paused_since: dt.date | None,
    finished: bool,
) -> ClockReading:
    used_total = calendar.working_days_between(started_on, today) if today > started_on else 0
    paused_now = paused_days(calendar, since=paused_since, until=today) if paused_since else 0
    used = max(0, used_total - paused_working_days - paused_now)
    if finished:
        state = DeadlineState.FINISHED
    elif paused_since is not None:
        state = DeadlineState.PAUSED
    elif today > due_on:
        state = DeadlineState.OVERDUE
    elif used >= WARN_FRACTION * allowed_working_days:
        state = DeadlineState.WARNING
    else:
        state = DeadlineState.ON_TIME
    return ClockReading(state, used, allowed_working_days)
