"""The outbox table."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base
from workflows.db_types import UTCDateTime


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_claim", "channel", "status", "next_attempt_at"),
        Index("ix_outbox_messages_recipient", "channel", "channel_user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    channel_user_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id"), nullable=True, index=True
    )
    application_number: Mapped[str | None] = mapped_column(String(20), nullable=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("program_cases.id"), nullable=True)
    # A hand-off message (staff reply or system notice) this delivers; null: other notices.
    handoff_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("handoff_messages.id"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
