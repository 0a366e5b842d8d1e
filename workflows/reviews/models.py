"""One review schedule per approved case (the next 复核 of that case)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base
from workflows.db_types import UTCDateTime


class ReviewSchedule(Base):
    __tablename__ = "review_schedules"
    __table_args__ = (
        Index("ix_review_schedules_due", "township_code", "status", "due_on"),
        Index("ix_review_schedules_remind", "reminded_at", "remind_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("program_cases.id"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    program: Mapped[str] = mapped_column(String(30))
    township_code: Mapped[str] = mapped_column(String(12))
    income_pattern: Mapped[str] = mapped_column(String(10))  # "stable" | "irregular"
    interval_months: Mapped[int]
    due_on: Mapped[dt.date] = mapped_column(Date)
    remind_on: Mapped[dt.date] = mapped_column(Date)  # a working day
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    change_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    change_reported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
