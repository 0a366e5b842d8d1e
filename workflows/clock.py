"""Time for the service: one clock object on app.state, so tests can move time forward."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from huimin.local_time import LOCAL_TZ as LOCAL_TZ  # re-exported for workflows/


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current moment, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


def local_today(clock: Clock) -> dt.date:
    """Today's date in the district (deadlines and numbers follow Beijing time)."""
    return clock.now().astimezone(LOCAL_TZ).date()
