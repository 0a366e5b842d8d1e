"""Office hours for hand-offs: working days from the calendar (holidays and 调休 included),
spans from the settings; bad settings are refused at start-up."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from huimin.settings import Settings
from workflows.calendar import make_calendar
from workflows.handoffs.hours import OfficeHours, is_open, next_opening

CN = dt.timezone(dt.timedelta(hours=8))
HOURS = OfficeHours.parse("08:30-12:00,13:30-17:00")


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=CN)  # type: ignore[misc]


def test_open_within_the_spans_of_a_working_day() -> None:
    calendar = make_calendar(Settings(_env_file=None))  # type: ignore[call-arg]
    assert is_open(at(2026, 11, 2, 10, 0), hours=HOURS, calendar=calendar)  # Monday
    assert not is_open(at(2026, 11, 2, 12, 30), hours=HOURS, calendar=calendar)  # lunch
    assert next_opening(at(2026, 11, 2, 12, 30), hours=HOURS, calendar=calendar) == at(
        2026, 11, 2, 13, 30
    )
    # Saturday evening: the next Monday morning
    assert next_opening(at(2026, 11, 7, 19, 0), hours=HOURS, calendar=calendar) == at(
        2026, 11, 9, 8, 30
    )
    # during the National Day holiday: the first working day after it, at 08:30
    opening = next_opening(at(2026, 10, 1, 9, 0), hours=HOURS, calendar=calendar)
    assert opening is not None
    assert opening.date() > dt.date(2026, 10, 1)
    assert calendar.is_working_day(opening.date())
    assert opening.timetz().replace(tzinfo=None) == dt.time(8, 30)
    day = dt.date(2026, 10, 1)
    while day < opening.date():
        assert not calendar.is_working_day(day), day
        day += dt.timedelta(days=1)
    assert HOURS.label() == "08:30-12:00、13:30-17:00"


@pytest.mark.parametrize("value", ["8-12", "17:00-08:00", "08:70-09:00", ""])
def test_bad_office_hours_are_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, handoff_office_hours=value)  # type: ignore[call-arg]
