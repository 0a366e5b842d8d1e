"""Count working days (工作日) for statutory deadlines.

A day's status comes from, in order: the holiday file (for a year it lists), the
``chinese_calendar`` package (for the years it knows), else weekends only. The last case is a
fallback: any deadline whose span touches such a year is marked ``provisional``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import chinese_calendar

from workflows.calendar.holiday_file import DEFAULT_HOLIDAYS_FILE, YearSchedule, load_holiday_file


@dataclass(frozen=True)
class DueDate:
    date: dt.date
    provisional: bool  # True: the span crossed a year with no known holiday schedule


@lru_cache(maxsize=1)
def library_schedules() -> dict[int, YearSchedule]:
    """The schedules ``chinese_calendar`` knows (2004–2026 in 1.11), read once from its tables.

    Its own ``is_workday`` scans all its dates on every call (~60 µs); set lookups are ~100× faster.
    """
    holidays = chinese_calendar.constants.holidays
    workdays = chinese_calendar.constants.workdays
    years = {day.year for day in holidays}
    return {
        year: YearSchedule(
            year=year,
            source=f"国务院办公厅关于{year}年部分节假日安排的通知(chinese_calendar 数据)",
            holidays=frozenset(day for day in holidays if day.year == year),
            workdays=frozenset(day for day in workdays if day.year == year),
        )
        for year in range(min(years), max(years) + 1)
    }


class WorkingDayCalendar:
    """Working days per the State Council's schedules; see the module docstring for the sources.

    ``holidays_file`` None reads the file shipped with the package (``DEFAULT_HOLIDAYS_FILE``).
    """

    def __init__(self, holidays_file: Path | None = None) -> None:
        self.holidays_file = holidays_file or DEFAULT_HOLIDAYS_FILE
        self._file_years: dict[int, YearSchedule] = load_holiday_file(self.holidays_file)
        self._schedules = {**library_schedules(), **self._file_years}  # the file wins
        self._counts: dict[int, list[int]] = {}  # per year, see _running_counts

    # What is known ---------------------------------------------------------------------------
    def known_years(self) -> set[int]:
        return set(self._schedules)

    def file_years(self) -> set[int]:
        """The years the holiday file lists (they override ``chinese_calendar``)."""
        return set(self._file_years)

    def is_known_year(self, year: int) -> bool:
        return year in self._schedules

    def source_of(self, year: int) -> str:
        """Where a year's schedule comes from, for display next to a due date (Chinese)."""
        schedule = self._schedules.get(year)
        if schedule is not None:
            return schedule.source
        return f"{year}年节假日安排尚未公布,暂按周末计算"

    # Days ------------------------------------------------------------------------------------
    def is_working_day(self, day: dt.date) -> bool:
        schedule = self._schedules.get(day.year)
        if schedule is not None:
            if day in schedule.workdays:
                return True
            return day.weekday() < 5 and day not in schedule.holidays
        return day.weekday() < 5  # no known schedule: weekends only (marked provisional)

    def add_working_days(self, start: dt.date, days: int) -> DueDate:
        """The ``days``-th working day after ``start`` (``start`` itself is not counted)."""
        if days < 0:
            raise ValueError(f"days must be >= 0, got {days}")
        day = start
        remaining = days
        provisional = False
        while remaining:
            day += dt.timedelta(days=1)
            if not self.is_known_year(day.year):
                provisional = True
            if self.is_working_day(day):
                remaining -= 1
        return DueDate(date=day, provisional=provisional)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end < start).

        From per-year running counts (built once per year), so a span of years costs as little
        as a span of days: the staff queue reads the clock of 20 cases per page.
        """
        if end < start:
            return -self.working_days_between(end, start)
        if start.year == end.year:
            return self._count_through(end) - self._count_through(start)
        count = self._year_total(start.year) - self._count_through(start)
        for year in range(start.year + 1, end.year):
            count += self._year_total(year)
        return count + self._count_through(end)

    def _running_counts(self, year: int) -> list[int]:
        """counts[i]: working days from 1 January up to and including day i + 1 of ``year``."""
        counts = self._counts.get(year)
        if counts is None:
            counts = []
            total = 0
            day = dt.date(year, 1, 1)
            while day.year == year:
                total += self.is_working_day(day)
                counts.append(total)
                day += dt.timedelta(days=1)
            self._counts[year] = counts
        return counts

    def _count_through(self, day: dt.date) -> int:
        return self._running_counts(day.year)[day.timetuple().tm_yday - 1]

    def _year_total(self, year: int) -> int:
        return self._running_counts(year)[-1]

    def is_provisional_span(self, start: dt.date, end: dt.date) -> bool:
        """True when a day after ``start`` up to ``end`` lies in a year with no known schedule."""
        low, high = sorted((start, end))
        if low == high:
            return False
        first = low + dt.timedelta(days=1)
        return any(not self.is_known_year(year) for year in range(first.year, high.year + 1))
