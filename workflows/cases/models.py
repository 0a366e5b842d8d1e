"""A program case (one program of one application) and its forwards between townships."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.db import Base
from workflows.db_types import UTCDateTime

if TYPE_CHECKING:
    from workflows.applications.models import Application


_OPEN = text("status NOT IN ('approved', 'rejected', 'closed')")


def _queue_index(name: str, *columns: str, include: tuple[str, ...], open_only: bool) -> Index:
    """A (township, [status,] due_date, id) index the staff queue walks in due-date order.

    INCLUDE columns (PostgreSQL) let counts and filters run on the index alone; the open-only
    variants serve the overdue filter. Measured by scripts/bench_workflows.py on 1M cases.
    """
    where = _OPEN if open_only else None
    return Index(
        name,
        *columns,
        "due_date",
        "id",
        postgresql_include=list(include),
        postgresql_where=where,
        sqlite_where=where,
    )


class ProgramCase(Base):
    __tablename__ = "program_cases"
    __table_args__ = (
        _queue_index(
            "ix_program_cases_handling_due",
            "handling_township_code",
            include=("status", "program", "paused_since"),
            open_only=False,
        ),
        _queue_index(
            "ix_program_cases_handling_status_due",
            "handling_township_code",
            "status",
            include=("program", "paused_since"),
            open_only=False,
        ),
        _queue_index(
            "ix_program_cases_submitted_due",
            "submitted_township_code",
            include=("handling_township_code", "status", "program", "paused_since"),
            open_only=False,
        ),
        _queue_index(
            "ix_program_cases_submitted_status_due",
            "submitted_township_code",
            "status",
            include=("handling_township_code", "program", "paused_since"),
            open_only=False,
        ),
        _queue_index(
            "ix_program_cases_open_handling_due",
            "handling_township_code",
            include=("status", "program", "paused_since"),
            open_only=True,
        ),
        _queue_index(
            "ix_program_cases_open_submitted_due",
            "submitted_township_code",
            include=("handling_township_code", "status", "program", "paused_since"),
            open_only=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    program: Mapped[str] = mapped_column(String(30), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # no single-column indexes: the queue indexes above start with these (migration 0004)
    submitted_township_code: Mapped[str] = mapped_column(String(12))
    handling_township_code: Mapped[str] = mapped_column(String(12))
    routing_reason: Mapped[str] = mapped_column(Text)
    # The clock, in working days
    started_on: Mapped[dt.date] = mapped_column(Date)
    allowed_working_days: Mapped[int] = mapped_column(Integer)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_working_days: Mapped[int] = mapped_column(Integer, default=0)
    paused_since: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    due_date: Mapped[dt.date] = mapped_column(Date, index=True)
    due_date_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # Stage data
    missing_materials: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    forward_due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    public_notice_started_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    public_notice_ends_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Set by approve and grant_direct: the case granted the program (a certificate of it)
    approved_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # 先行救助 (grant_urgent): what was given, why, and by when the paperwork must follow
    urgent_granted_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    urgent_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    urgent_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    paperwork_due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # grant_direct: the certificate shown (e.g. 低保证编号) and where it was confirmed
    certificate_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # refer: the department it went to and by when its answer is expected
    referred_to: Mapped[str | None] = mapped_column(String(100), nullable=True)
    referral_due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    application: Mapped[Application] = relationship(back_populates="cases")
    forwards: Mapped[list[CaseForward]] = relationship(order_by="CaseForward.id")

    __mapper_args__ = {"version_id_col": version}  # concurrent transitions: one wins


class CaseForward(Base):
    """A case handed from one township to another (an audited step with its own deadline)."""

    __tablename__ = "case_forwards"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("program_cases.id"), index=True)
    from_township_code: Mapped[str] = mapped_column(String(12), index=True)
    to_township_code: Mapped[str] = mapped_column(String(12), index=True)
    reason: Mapped[str] = mapped_column(Text)
    by_username: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    due_date: Mapped[dt.date] = mapped_column(Date)
