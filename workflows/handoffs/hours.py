"""Whether staff are at work: working days (the calendar) and office hours (settings)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from workflows.clock import LOCAL_TZ
from workflows.deadlines.calendar import WorkingDays

LOOKAHEAD_DAYS = 40  # the longest holiday (春节 with its 调休) is well inside this


@dataclass(frozen=True)
class OfficeHours:
    spans: tuple[tuple[dt.time, dt.time], ...]

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """``"08:30-12:00,13:30-17:00"``; a ``ValueError`` names the bad part."""
        spans = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            try:
                start_text, end_text = part.split("-")
                start = dt.time.fromisoformat(start_text.strip())
                end = dt.time.fromisoformat(end_text.strip())
            except ValueError as exc:
                raise ValueError(f"office hours {part!r}: expected HH:MM-HH:MM") from exc
            if end <= start:
                raise ValueError(f"office hours {part!r}: the end is not after the start")
            spans.append((start, end))
        if not spans:
            raise ValueError("office hours: none given")
        return cls(tuple(sorted(spans)))

    def label(self) -> str:
        return "、".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.spans)


def is_open(now: dt.datetime, *, hours: OfficeHours, calendar: WorkingDays) -> bool:
    local = now.astimezone(LOCAL_TZ)
    if not calendar.is_working_day(local.date()):
        return False
    moment = local.time()
    return any(start <= moment < end for start, end in hours.spans)


def next_opening(
    now: dt.datetime, *, hours: OfficeHours, calendar: WorkingDays
) -> dt.datetime | None:
    """The next moment staff are at work (``now`` itself when open); None beyond the lookahead."""
    if is_open(now, hours=hours, calendar=calendar):
        return now
    local = now.astimezone(LOCAL_TZ)
    for offset in range(LOOKAHEAD_DAYS):
        day = local.date() + dt.timedelta(days=offset)
        if not calendar.is_working_day(day):
            continue
        for start, _end in hours.spans:
            candidate = dt.datetime.combine(day, start, tzinfo=LOCAL_TZ)
            if candidate > local:
                return candidate
    return None
