"""Build the calendar from settings; a changed holiday file is picked up without a restart."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from huimin.settings import Settings
from workflows.calendar.holiday_file import DEFAULT_HOLIDAYS_FILE, HolidayFileError
from workflows.calendar.working_days import WorkingDayCalendar

__all__ = ["DEFAULT_HOLIDAYS_FILE", "make_calendar"]

log = logging.getLogger(__name__)
_last_good: dict[Path, WorkingDayCalendar] = {}


def make_calendar(settings: Settings) -> WorkingDayCalendar:
    """The calendar for ``HUIMIN_HOLIDAYS_FILE`` (default: the shipped file).

    Cached per file version (path, modification time, size): cheap to call per request, and
    staff's edit to the file takes effect on the next call. An edit that breaks the file is
    logged (with the file and line) and the last good version of that file stays in use; with
    no good version yet the error is raised.
    """
    path = (settings.holidays_file or DEFAULT_HOLIDAYS_FILE).resolve()
    try:
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        version = (0, 0)  # the loader reports the missing file with its name
    try:
        calendar = _cached_calendar(path, version)
    except HolidayFileError as exc:
        previous = _last_good.get(path)
        if previous is None:
            raise
        log.error("holiday file rejected, still using its last good version: %s", exc)
        return previous
    _last_good[path] = calendar
    return calendar


@lru_cache(maxsize=8)
def _cached_calendar(path: Path, _version: tuple[int, int]) -> WorkingDayCalendar:
    return WorkingDayCalendar(path)
