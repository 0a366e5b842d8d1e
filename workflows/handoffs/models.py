"""A resident's request to talk to a person, open until staff release it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base
from workflows.db_types import UTCDateTime


class Handoff(Base):
    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    channel_user_id: Mapped[str] = mapped_column(String(100), index=True)
    reason: Mapped[str] = mapped_column(Text)
    transcript: Mapped[list[Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), index=True)  # open / released
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The Rasa sender id of the paused conversation (resumed on release); null for old rows.
    conversation_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # The township the resident named in the conversation; null: the district queue.
    township_code: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
