"""What the deadline code needs from ``workflows.calendar``."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class DueDateLike(Protocol):
    @property
    def date(self) -> dt.date: ...

    @property
    def provisional(self) -> bool: ...


class WorkingDays(Protocol):
    def is_working_day(self, day: dt.date) -> bool: ...

    def add_working_days(self, start: dt.date, days: int) -> DueDateLike: ...

    def working_days_between(self, start: dt.date, end: dt.date) -> int: ...
