"""When the next 复核 falls: interval by program and income pattern (settings), the reminder
a configured number of working days ahead (always on a working day)."""

from __future__ import annotations

import calendar as cal
import datetime as dt

from huimin.settings import Settings
from workflows.applications.models import Application
from workflows.deadlines.calendar import WorkingDays
from workflows.household.enums import WORK_INCOME_KINDS

# The intervals FACTS.md cites: 低保/低边 yearly when stable, every six months when income is
# irregular ([DB] art. 31). Any other configured interval is a labelled sample (示例).
CITED_INTERVALS: dict[str, dict[str, int]] = {
    "dibao": {"stable": 12, "irregular": 6},
    "dibao_edge": {"stable": 12, "irregular": 6},
}


def interval_is_sample(program: str, pattern: str, months: int) -> bool:
    """Whether ``months`` is a sample (示例) rather than the interval [DB] art. 31 gives."""
    return CITED_INTERVALS.get(program, {}).get(pattern) != months


def income_pattern(application: Application) -> str:
    """ "irregular" when a member has work income (wage or business: irregular, or members can
    work, [DB] art. 31), else "stable"."""
    kinds = {i.kind for m in application.members for i in m.incomes}
    return "irregular" if kinds & {k.value for k in WORK_INCOME_KINDS} else "stable"


def interval_months(program: str, pattern: str, settings: Settings) -> int | None:
    """None: the program has no periodic review configured."""
    by_pattern = settings.review_interval_months.get(program)
    if by_pattern is None:
        return None
    return by_pattern.get(pattern) or by_pattern.get("stable")


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, cal.monthrange(year, month)[1]))


def remind_on(due_on: dt.date, *, working_days: int, calendar: WorkingDays) -> dt.date:
    """The ``working_days``-th working day before ``due_on`` (``due_on`` itself not counted)."""
    day = due_on
    remaining = working_days
    while remaining > 0:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    while not calendar.is_working_day(day):  # working_days == 0 and due on a holiday
        day -= dt.timedelta(days=1)
    return day
