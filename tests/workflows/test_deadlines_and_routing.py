"""Deadline policy and clock, routing rules; machine: test_case_machine.py"""

from __future__ import annotations

import datetime as dt

import pytest

from huimin.programs import Program
from huimin.settings import Settings
from workflows.calendar import WorkingDayCalendar
from workflows.cases.env import policy_of
from workflows.deadlines.clock import DeadlineState, due_date, read_clock
from workflows.routing.service import NotRoutableError, route

CAL = WorkingDayCalendar()
FUCHUN, CHUNJIANG = "330111001000", "330111002000"


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_policies_follow_the_regulations() -> None:
    national = _settings(case_jurisdiction="national")
    zhejiang = _settings()  # the district's default
    assert policy_of(Program.DIBAO, national).working_days == 30
    assert policy_of(Program.DIBAO, national).extended_working_days == 45
    assert policy_of(Program.DIBAO, zhejiang).working_days == 23  # [ZJ] art. 11, 一件事 page
    assert "浙江省社会救助条例" in policy_of(Program.DIBAO, zhejiang).source
    delegated = _settings(dibao_review_delegated=True)
    assert policy_of(Program.DIBAO, delegated).working_days == 20
    assert policy_of(Program.TEKUN, zhejiang).working_days == 30  # no Zhejiang figure: national
    assert policy_of(Program.HOUSING, zhejiang).sample is True
    assert policy_of(Program.DIBAO, zhejiang).sample is False


def test_due_date_skips_national_day_and_counts_makeup_workday() -> None:
    # Mon 2026-09-28: 29th and 30th work, Oct 1-7 holiday, Sat Oct 10 is a 调休 working day
    due = due_date(CAL, started_on=dt.date(2026, 9, 28), working_days=5, paused_working_days=0)
    assert due.date == dt.date(2026, 10, 10)
    assert due.provisional is False


def test_due_date_into_an_unknown_year_is_provisional() -> None:
    due = due_date(CAL, started_on=dt.date(2026, 12, 1), working_days=30, paused_working_days=0)
    assert due.date.year == 2027
    assert due.provisional is True


@pytest.mark.parametrize(
    ("today", "paused_since", "expected"),
    [
        (dt.date(2026, 11, 2), None, DeadlineState.ON_TIME),
        (dt.date(2026, 12, 2), None, DeadlineState.ON_TIME),  # 22 of 30 used: below 75 %
        (dt.date(2026, 12, 3), None, DeadlineState.WARNING),  # 23 of 30: 75 % reached
        (dt.date(2026, 12, 14), None, DeadlineState.WARNING),  # the due date itself
        (dt.date(2026, 12, 15), None, DeadlineState.OVERDUE),
        (dt.date(2026, 12, 15), dt.date(2026, 12, 1), DeadlineState.PAUSED),
    ],
)
def test_clock_states(
    today: dt.date, paused_since: dt.date | None, expected: DeadlineState
) -> None:
    start = dt.date(2026, 11, 2)
    due = due_date(CAL, started_on=start, working_days=30, paused_working_days=0).date
    reading = read_clock(
        CAL,
        today=today,
        started_on=start,
        due_on=due,
        allowed_working_days=30,
        paused_working_days=0,
        paused_since=paused_since,
        finished=False,
    )
    assert reading.state is expected


def test_routing_rules() -> None:
    by_hukou = route(
        Program.DIBAO,
        hukou_township_code=FUCHUN,
        residence_township_code=CHUNJIANG,
        has_residence_permit=False,
    )
    assert by_hukou.township_code == FUCHUN
    temporary = route(
        Program.TEMPORARY,
        hukou_township_code=FUCHUN,
        residence_township_code=CHUNJIANG,
        has_residence_permit=False,
    )
    assert temporary.township_code == CHUNJIANG
    permit = route(
        Program.DIBAO,
        hukou_township_code=None,
        residence_township_code=CHUNJIANG,
        has_residence_permit=True,
    )
    assert permit.township_code == CHUNJIANG
    with pytest.raises(NotRoutableError, match="户籍"):
        route(
            Program.TEKUN,
            hukou_township_code=None,
            residence_township_code=CHUNJIANG,
            has_residence_permit=True,
        )
