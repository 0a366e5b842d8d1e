"""One counter row per (prefix, day)."""

from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base


class NumberCounter(Base):
    __tablename__ = "number_counters"
    __table_args__ = (UniqueConstraint("prefix", "day", name="uq_number_counters_prefix_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(8))
    day: Mapped[str] = mapped_column(String(8))  # YYYYMMDD, Beijing time
    last: Mapped[int] = mapped_column(Integer, default=0)
