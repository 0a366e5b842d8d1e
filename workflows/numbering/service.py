"""Allocate the next number in the caller's transaction (gap-free, safe under concurrency)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflows.numbering.models import NumberCounter


def next_number(session: Session, *, prefix: str, day: dt.date) -> str:
    key = day.strftime("%Y%m%d")
    for _ in range(3):
        bumped = session.execute(
            update(NumberCounter)
            .where(NumberCounter.prefix == prefix, NumberCounter.day == key)
            .values(last=NumberCounter.last + 1)
        )
        if bumped.rowcount:  # type: ignore[attr-defined]
            last = session.scalar(
                select(NumberCounter.last).where(
                    NumberCounter.prefix == prefix, NumberCounter.day == key
                )
            )
            return f"{prefix}-{key}-{last:04d}"
        try:
            with session.begin_nested():
                session.add(NumberCounter(prefix=prefix, day=key, last=1))
        except IntegrityError:
            continue  # another transaction created the row first: bump it instead
        return f"{prefix}-{key}-0001"
    raise RuntimeError("could not allocate a number")
