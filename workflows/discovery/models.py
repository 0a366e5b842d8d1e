"""One row per (rule, person): the unique constraint is what makes "nobody is told twice"."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base
from workflows.db_types import UTCDateTime


class Finding(Base):
    __tablename__ = "discovery_findings"
    __table_args__ = (
        UniqueConstraint("rule", "id_number"),
        Index("ix_discovery_findings_township", "township_code", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(40))
    program: Mapped[str] = mapped_column(String(30))
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(60))
    township_code: Mapped[str] = mapped_column(String(12))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), nullable=True)
    visit_target_id: Mapped[int | None] = mapped_column(
        ForeignKey("visit_targets.id"), nullable=True
    )
    # told (resident told in their channel) | awaiting (staff confirm) | confirmed | dismissed
    status: Mapped[str] = mapped_column(String(12))
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id"), nullable=True
    )
    found_on: Mapped[dt.date] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
