"""Accounts, offers, transfers and their two movements.

Invariants (held by the database, not only by the code):
- a transfer has exactly one movement per side (unique (transfer_id, account_id)), -m and +m:
  the movements of the whole system sum to zero;
- ``balance_minutes`` is the sum of the account's movements and never below ``floor_minutes``
  (CHECK constraint; workflows/timebank/ledger.py also refuses it with a Chinese reason);
- minutes are positive and a transfer never goes from an account to itself.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base
from workflows.db_types import UTCDateTime


class TimeAccount(Base):
    __tablename__ = "timebank_accounts"
    __table_args__ = (
        CheckConstraint("balance_minutes >= floor_minutes", name="balance_above_floor"),
        Index("ix_timebank_accounts_identity", "channel", "channel_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # volunteer | elder | family | pool
    holder_name: Mapped[str] = mapped_column(String(60))
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    channel: Mapped[str | None] = mapped_column(String(20), nullable=True)
    channel_user_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    township_code: Mapped[str] = mapped_column(String(12), index=True)
    family_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("timebank_accounts.id"), nullable=True
    )
    floor_minutes: Mapped[int] = mapped_column(Integer)
    balance_minutes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class TimeOffer(Base):
    __tablename__ = "timebank_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("timebank_accounts.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class TimeTransfer(Base):
    __tablename__ = "timebank_transfers"
    __table_args__ = (
        CheckConstraint("minutes > 0", name="positive_minutes"),
        CheckConstraint("source_id <> destination_id", name="two_accounts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # service | gift | exchange
    source_id: Mapped[int] = mapped_column(ForeignKey("timebank_accounts.id"), index=True)
    destination_id: Mapped[int] = mapped_column(ForeignKey("timebank_accounts.id"), index=True)
    minutes: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    service_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(10))  # pending | confirmed
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(100))
    confirmed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TimeMovement(Base):
    __tablename__ = "timebank_movements"
    __table_args__ = (
        UniqueConstraint("transfer_id", "account_id"),
        Index("ix_timebank_movements_account", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("timebank_transfers.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("timebank_accounts.id"))
    minutes: Mapped[int] = mapped_column(Integer)  # signed
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
