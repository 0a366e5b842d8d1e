"""A resident's conversation with a person (人工服务): the hand-off and its messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base
from workflows.db_types import UTCDateTime


class Handoff(Base):
    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    channel_user_id: Mapped[str] = mapped_column(String(100), index=True)
    reason: Mapped[str] = mapped_column(Text)
    # The assistant's conversation before the hand-off (what staff read first).
    transcript: Mapped[list[Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), index=True)  # workflows/handoffs/enums.py
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The Rasa sender id of the paused conversation (resumed on release); null for old rows.
    conversation_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # The township the resident named in the conversation; null: the district queue.
    township_code: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    # Since when the resident waits for a person (created_at, or the latest transfer).
    waiting_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # What the resident is told ("工作人员 X"): the staff member's display name, never a username.
    staff_display_name: Mapped[str | None] = mapped_column(String(60), nullable=True)
    first_response_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # When the resident was told that no one claimed it in time (at most once per wait).
    timeout_notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class HandoffMessage(Base):
    __tablename__ = "handoff_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id"), index=True)
    sender: Mapped[str] = mapped_column(String(10))  # resident / staff / system
    text: Mapped[str] = mapped_column(Text)
    staff_username: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
