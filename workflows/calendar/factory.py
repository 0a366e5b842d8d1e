"""Build the calendar from settings; a changed holiday file is picked up without a restart."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from huimin.settings import Settings
from workflows.calendar.holiday_file import DEFAULT_HOLIDAYS_FILE
from workflows.calendar.working_days import WorkingDayCalendar

__all__ = ["DEFAULT_HOLIDAYS_FILE", "make_calendar"]


def make_calendar(settings: Settings) -> WorkingDayCalendar:
    """The calendar for ``HUIMIN_HOLIDAYS_FILE`` (default: the shipped file).

    Cached per file version (path, modification time, size): cheap to call per request, and
    staff's edit to the file takes effect on the next call.
    """
    path = (settings.holidays_file or DEFAULT_HOLIDAYS_FILE).resolve()
    try:
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        version = (0, 0)  # the loader reports the missing file with its name
    return _cached_calendar(path, version)


@lru_cache(maxsize=8)
def _cached_calendar(path: Path, _version: tuple[int, int]) -> WorkingDayCalendar:
    return WorkingDayCalendar(path)
