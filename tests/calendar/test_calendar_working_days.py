"""Working days: 2026 holidays, 调休, the 2027 fallback, and a file overriding the library."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huimin.settings import Settings
from workflows.calendar import (
    DEFAULT_HOLIDAYS_FILE,
    DueDate,
    WorkingDayCalendar,
    load_holiday_file,
    make_calendar,
)

D = dt.date

# A made-up 2027 schedule for tests only (the shipped file must not contain 2027).
FILE_WITH_2027 = """\
years:
  2027:
    source: 测试用安排(非真实通知)
    holidays:
      - 2027-01-01
      - 2027-01-04
    workdays:
      - 2027-01-09
"""


@pytest.fixture(scope="module")
def calendar() -> WorkingDayCalendar:
    return WorkingDayCalendar()


def test_national_day_week_is_not_working(calendar: WorkingDayCalendar) -> None:
    for day in range(1, 8):
        assert not calendar.is_working_day(D(2026, 10, day)), f"2026-10-0{day} 是国庆假期"
    assert calendar.is_working_day(D(2026, 10, 8))  # Thursday after the holiday


def test_make_up_saturday_is_working_and_ordinary_weekend_is_not(
    calendar: WorkingDayCalendar,
) -> None:
    assert D(2026, 10, 10).weekday() == 5
    assert calendar.is_working_day(D(2026, 10, 10))  # 国庆调休上班
    assert D(2026, 2, 14).weekday() == 5
    assert calendar.is_working_day(D(2026, 2, 14))  # 春节调休上班
    assert not calendar.is_working_day(D(2026, 11, 28))  # an ordinary Saturday
    assert not calendar.is_working_day(D(2026, 2, 18))  # 春节, a Wednesday


def test_shipped_2026_matches_the_library() -> None:
    schedule = load_holiday_file(DEFAULT_HOLIDAYS_FILE)[2026]
    library_holidays = {d for d in chinese_calendar.constants.holidays if d.year == 2026}
    library_workdays = {d for d in chinese_calendar.constants.workdays if d.year == 2026}
    assert schedule.holidays == library_holidays
    assert schedule.workdays == library_workdays
    assert "2026" in schedule.source


def test_shipped_file_invents_no_future_year() -> None:
    assert set(load_holiday_file(DEFAULT_HOLIDAYS_FILE)) == {2026}


def test_add_working_days_across_national_day(calendar: WorkingDayCalendar) -> None:
    # Wed 2026-09-30: Oct 1–7 off, Thu 8, Fri 9, Sat 10 (调休) are the first three working days.
    assert calendar.add_working_days(D(2026, 9, 30), 3) == DueDate(D(2026, 10, 10), False)
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert calendar.add_working_days(D(2026, 9, 30), 0) == DueDate(D(2026, 9, 30), False)


def test_deadline_into_2027_is_provisional(calendar: WorkingDayCalendar) -> None:
    assert 2027 not in calendar.known_years()
    assert set(range(2004, 2027)) <= calendar.known_years()
    due = calendar.add_working_days(D(2026, 12, 15), 30)
    assert due.provisional is True
    # Weekends-only fallback in 2027: 12 working days left in 2026 (16th–31st), 18 in 2027.
    assert due.date == D(2027, 1, 26)
    # A deadline inside 2026 is firm.
    assert calendar.add_working_days(D(2026, 11, 2), 20).provisional is False


def test_file_with_2027_makes_deadline_firm(tmp_path: Path) -> None:
    path = tmp_path / "holidays.yaml"
    path.write_text(FILE_WITH_2027, encoding="utf-8")
    calendar = WorkingDayCalendar(path)
    assert 2027 in calendar.known_years()
    assert not calendar.is_working_day(D(2027, 1, 4))  # a Monday the test file closes
    assert calendar.is_working_day(D(2027, 1, 9))  # a Saturday the test file opens
    due = calendar.add_working_days(D(2026, 12, 15), 30)
    assert due.provisional is False
    # Fallback date was 01-26; the file closes Fri 01-01 and Mon 01-04 and opens Sat 01-09:
    # one working day fewer before the 26th, so the deadline moves one day later.
    assert due.date == D(2027, 1, 27)
    assert calendar.working_days_between(D(2026, 12, 15), due.date) == 30


def test_file_year_wins_over_library(tmp_path: Path) -> None:
    path = tmp_path / "holidays.yaml"
    path.write_text(
        "years:\n  2025:\n    source: 测试\n    holidays: [2025-03-03]\n    workdays: []\n",
        encoding="utf-8",
    )
    calendar = WorkingDayCalendar(path)
    assert not calendar.is_working_day(D(2025, 3, 3))  # closed by the file only
    assert calendar.is_working_day(D(2025, 10, 2))  # the file replaces the whole year
    assert calendar.source_of(2025) == "测试"
    # Other years still come from the library.
    assert not calendar.is_working_day(D(2024, 10, 2))


def test_make_calendar_uses_setting_and_picks_up_edits(tmp_path: Path) -> None:
    path = tmp_path / "holidays.yaml"
    path.write_text(FILE_WITH_2027, encoding="utf-8")
    settings = Settings(holidays_file=path, _env_file=None)
    assert 2027 in make_calendar(settings).known_years()
    path.write_text(FILE_WITH_2027.replace("2027", "2028"), encoding="utf-8")
    assert 2028 in make_calendar(settings).known_years()
    assert 2027 not in make_calendar(settings).known_years()
    default = make_calendar(Settings(holidays_file=None, _env_file=None))
    assert default.holidays_file == DEFAULT_HOLIDAYS_FILE


def test_negative_days_refused(calendar: WorkingDayCalendar) -> None:
    with pytest.raises(ValueError, match="days"):
        calendar.add_working_days(D(2026, 1, 5), -1)


def test_between_is_antisymmetric(calendar: WorkingDayCalendar) -> None:
    assert calendar.working_days_between(D(2026, 10, 12), D(2026, 10, 9)) == -2


def test_provisional_span(calendar: WorkingDayCalendar) -> None:
    assert calendar.is_provisional_span(D(2026, 12, 30), D(2027, 1, 2))
    assert not calendar.is_provisional_span(D(2026, 12, 1), D(2026, 12, 31))
    assert not calendar.is_provisional_span(D(2027, 1, 1), D(2027, 1, 1))


@settings(max_examples=150, deadline=None)
@given(
    start=st.dates(min_value=D(2020, 1, 1), max_value=D(2027, 12, 31)),
    n=st.integers(min_value=0, max_value=60),
)
def test_add_then_count_round_trips(start: dt.date, n: int) -> None:
    calendar = _shared_calendar()
    due = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, due.date) == n
    assert n == 0 or calendar.is_working_day(due.date)
    assert due.provisional == (n > 0 and calendar.is_provisional_span(start, due.date))


_CALENDAR: list[WorkingDayCalendar] = []


def _shared_calendar() -> WorkingDayCalendar:
    if not _CALENDAR:
        _CALENDAR.append(WorkingDayCalendar())
    return _CALENDAR[0]


def test_agrees_with_chinese_calendar_day_by_day(calendar: WorkingDayCalendar) -> None:
    day = D(2019, 1, 1)
    while day <= D(2026, 12, 31):
        assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)
