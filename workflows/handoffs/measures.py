"""Hand-off measures for the dashboard: per township, residents waiting now and the time to the
first staff reply (over the hand-offs opened in a recent window), within the caller's scope."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from workflows.auth.actor import Caller
from workflows.handoffs import service
from workflows.handoffs.enums import HandoffStatus
from workflows.handoffs.models import Handoff

WINDOW_DAYS = 30


@dataclass(frozen=True)
class TownshipHandoffs:
    township: str
    waiting: int  # residents waiting for a person now
    answered: int  # hand-offs in the window with a first staff reply
    median_first_response_seconds: float | None


@dataclass(frozen=True)
class HandoffMeasures:
    rows: list[TownshipHandoffs]
    waiting: int
    median_first_response_seconds: float | None
    window_days: int = WINDOW_DAYS


def measures(session: Session, *, caller: Caller, now: dt.datetime) -> HandoffMeasures:
    since = now - dt.timedelta(days=WINDOW_DAYS)
    query = select(Handoff).where(
        or_(Handoff.status == HandoffStatus.WAITING.value, Handoff.created_at >= since)
    )
    if caller.township_scope is not None:
        query = query.where(Handoff.township_code == caller.township_scope)
    waiting: dict[str | None, int] = defaultdict(int)
    responses: dict[str | None, list[float]] = defaultdict(list)
    for handoff in session.scalars(query):
        if handoff.status == HandoffStatus.WAITING.value:
            waiting[handoff.township_code] += 1
        if handoff.first_response_at is not None and handoff.created_at >= since:
            seconds = (handoff.first_response_at - handoff.created_at).total_seconds()
            responses[handoff.township_code].append(max(0.0, seconds))
    codes = sorted(set(waiting) | set(responses), key=lambda c: (c is None, c or ""))
    rows = [
        TownshipHandoffs(
            township=service.township_label(code),
            waiting=waiting.get(code, 0),
            answered=len(responses.get(code, [])),
            median_first_response_seconds=(
                statistics.median(responses[code]) if responses.get(code) else None
            ),
        )
        for code in codes
    ]
    everything = [s for values in responses.values() for s in values]
    return HandoffMeasures(
        rows=rows,
        waiting=sum(waiting.values()),
        median_first_response_seconds=statistics.median(everything) if everything else None,
    )
