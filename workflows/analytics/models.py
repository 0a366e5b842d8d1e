"""The analytics tables: nothing in them names a person or repeats what was said.

``analytics_conversations``: one row per Rasa session (keyed by an HMAC), its channel, start
and ISO week; ``analytics_steps``: one row per (conversation, step) reached — the unique
constraint makes a redelivered event count once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base
from workflows.db_types import UTCDateTime


class AnalyticsConversation(Base):
    __tablename__ = "analytics_conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_key: Mapped[str] = mapped_column(String(64), unique=True)  # HMAC, hex
    sender_key: Mapped[str] = mapped_column(String(64), index=True)  # HMAC, hex
    channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    week_start: Mapped[dt.date] = mapped_column(Date, index=True)  # Monday, Asia/Shanghai
    iso_week: Mapped[str] = mapped_column(String(8))  # e.g. 2026-W49
    active_form: Mapped[str | None] = mapped_column(String(64), nullable=True)  # a form's name


class AnalyticsStep(Base):
    __tablename__ = "analytics_steps"
    __table_args__ = (
        UniqueConstraint("conversation_id", "step", name="uq_analytics_steps_conversation_step"),
        Index("ix_analytics_steps_step", "step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("analytics_conversations.id"))
    step: Mapped[str] = mapped_column(String(64))
    reached_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
