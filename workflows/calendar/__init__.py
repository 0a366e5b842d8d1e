"""Working-day calendar for statutory deadlines (工作日): holidays, 调休 and a marked fallback."""

from workflows.calendar.factory import DEFAULT_HOLIDAYS_FILE, make_calendar
from workflows.calendar.holiday_file import HolidayFileError, YearSchedule, load_holiday_file
from workflows.calendar.working_days import DueDate, WorkingDayCalendar

__all__ = [
    "DEFAULT_HOLIDAYS_FILE",
    "DueDate",
    "HolidayFileError",
    "WorkingDayCalendar",
    "YearSchedule",
    "load_holiday_file",
    "make_calendar",
]
