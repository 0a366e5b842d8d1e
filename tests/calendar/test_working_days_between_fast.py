"""working_days_between from per-year running counts equals counting day by day."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.calendar.working_days import WorkingDayCalendar

D = dt.date
_CALENDAR = WorkingDayCalendar()


def _day_by_day(calendar: WorkingDayCalendar, start: dt.date, end: dt.date) -> int:
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += calendar.is_working_day(day)
    return sign * count


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=D(2018, 1, 1), max_value=D(2029, 12, 31)),
    end=st.dates(min_value=D(2018, 1, 1), max_value=D(2029, 12, 31)),
)
def test_equals_day_by_day(start: dt.date, end: dt.date) -> None:
    assert _CALENDAR.working_days_between(start, end) == _day_by_day(_CALENDAR, start, end)


def test_known_spans() -> None:
    # 2026 National Day: 1–7 October off; 8, 9 and Saturday 10 October (make-up) working
    assert _CALENDAR.working_days_between(D(2026, 9, 30), D(2026, 10, 11)) == 3
    assert _CALENDAR.working_days_between(D(2024, 12, 31), D(2024, 12, 31)) == 0
    assert _CALENDAR.working_days_between(D(2024, 2, 28), D(2024, 3, 1)) == 2  # leap day
    # New Year 2026: 1–3 January off, Sunday 4 January a make-up working day
    assert _CALENDAR.working_days_between(D(2025, 12, 31), D(2026, 1, 5)) == 2
    total_2025 = sum(
        _CALENDAR.is_working_day(D(2025, 1, 1) + dt.timedelta(days=i)) for i in range(365)
    )
    assert _CALENDAR.working_days_between(D(2024, 12, 31), D(2025, 12, 31)) == total_2025
