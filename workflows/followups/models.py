"""A lead turned into a 临时救助 application (one per lead), and township alerts shown to staff."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base
from workflows.db_types import UTCDateTime


class LeadConversion(Base):
    """The unique ``lead_id`` makes the conversion idempotent (one case per lead)."""

    __tablename__ = "lead_conversions"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    reason: Mapped[str] = mapped_column(Text)  # the visit's findings
    converted_by: Mapped[str] = mapped_column(String(64))
    converted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class TownshipAlert(Base):
    """An outbox message of channel ``township`` as shown to the township's staff: created when
    first shown (the outbox row is then delivered), acknowledged by a click."""

    __tablename__ = "township_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id"), unique=True)
    township_code: Mapped[str] = mapped_column(String(12), index=True)
    text: Mapped[str] = mapped_column(Text)
    shown_to: Mapped[str] = mapped_column(String(64))
    shown_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
