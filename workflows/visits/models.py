"""The roster (one row per person, with categories), the visits, and grid workers' areas.

A target is on the roster from ``added_on`` until the day before ``removed_on`` (NULL: still on).
``visit_month`` (YYYYMM, local calendar) is stored beside each visit so the monthly rate reads an
index instead of computing months (workflows/visits/rate.py has the counting rule).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.db import Base
from workflows.db_types import UTCDateTime


class VisitTarget(Base):
    __tablename__ = "visit_targets"
    __table_args__ = (Index("ix_visit_targets_area", "township_code", "village", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    township_code: Mapped[str] = mapped_column(String(12))
    village: Mapped[str] = mapped_column(String(60), default="")  # "" = not yet assigned
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    worker_username: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    source: Mapped[str] = mapped_column(String(10))  # "case" | "import" | "staff"
    case_id: Mapped[int | None] = mapped_column(ForeignKey("program_cases.id"), nullable=True)
    added_on: Mapped[dt.date] = mapped_column(Date)
    removed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # the latest visited_on of its visits (kept by workflows/visits/log.py): the current month's
    # figures read it instead of joining the visits (no visit is dated after today)
    last_visited_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # the categories' bits (workflows/visits/rate.py ``category_bit``), kept by roster.upsert
    # beside the category rows: the rate counts categories in one pass without a join
    category_mask: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    categories: Mapped[list[TargetCategoryRow]] = relationship(
        cascade="all, delete-orphan", order_by="TargetCategoryRow.category", lazy="selectin"
    )

    @property
    def category_codes(self) -> list[str]:
        return [c.category for c in self.categories]


class TargetCategoryRow(Base):
    __tablename__ = "visit_target_categories"
    __table_args__ = (Index("ix_visit_target_categories_category", "category", "target_id"),)

    target_id: Mapped[int] = mapped_column(ForeignKey("visit_targets.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)


class Visit(Base):
    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_month_target", "visit_month", "target_id"),
        Index("ix_visits_target_day", "target_id", "visited_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("visit_targets.id"))
    visited_on: Mapped[dt.date] = mapped_column(Date)
    visit_month: Mapped[int] = mapped_column(Integer)  # YYYYMM of visited_on
    way: Mapped[str] = mapped_column(String(10))
    worker_username: Mapped[str] = mapped_column(String(64))
    seen: Mapped[str] = mapped_column(String(100))  # who was seen (本人, 家属 …)
    findings: Mapped[str] = mapped_column(Text, default="")
    risk_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class WorkerArea(Base):
    """A village/community a grid worker (村社/网格员) covers."""

    __tablename__ = "visit_worker_areas"
    __table_args__ = (UniqueConstraint("username", "township_code", "village"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    township_code: Mapped[str] = mapped_column(String(12))
    village: Mapped[str] = mapped_column(String(60))


class VisitRateSnapshot(Base):
    """A closed month's figures per village (category "" = all categories; the row with empty
    township, village and category "#" marks the month as summarised). Read by the dashboard and
    the rate API for months before the current one (workflows/visits/snapshots.py); a visit
    recorded later with a date in that month deletes the month's rows."""

    __tablename__ = "visit_rate_snapshots"

    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    township_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    village: Mapped[str] = mapped_column(String(60), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    targets: Mapped[int] = mapped_column(Integer)
    visited: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
