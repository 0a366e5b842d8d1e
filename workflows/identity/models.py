"""Identity tables. No clear ID number, code or phone is stored: ID numbers as a keyed hash
(plus the masked form for people reading the rows), codes as a keyed hash, phones masked."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base
from workflows.db_types import UTCDateTime


class IdentityVerification(Base):
    """One verification of a chat identity for one ID number; live for the configured TTL."""

    __tablename__ = "identity_verifications"
    __table_args__ = (Index("ix_identity_verifications_subject_id", "subject", "id_number_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(120))
    id_number_hash: Mapped[str] = mapped_column(String(64))
    id_number_masked: Mapped[str] = mapped_column(String(18))
    method: Mapped[str] = mapped_column(String(16))
    staff_username: Mapped[str | None] = mapped_column(String(64), nullable=True)  # counter
    verified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class OtpChallenge(Base):
    """One code sent by SMS; the code itself only as HMAC(secret_key, challenge, code)."""

    __tablename__ = "identity_otp_challenges"
    __table_args__ = (
        Index("ix_identity_otp_challenges_subject_created", "subject", "created_at"),
        Index("ix_identity_otp_challenges_id_created", "id_number_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(120))
    id_number_hash: Mapped[str] = mapped_column(String(64))
    phone_masked: Mapped[str] = mapped_column(String(20))
    salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class OidcLogin(Base):
    """One OpenID Connect round trip: started from a one-use ticket, finished by one callback."""

    __tablename__ = "identity_oidc_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(64), unique=True)  # a ticket starts once
    state: Mapped[str] = mapped_column(String(128), unique=True)
    nonce: Mapped[str] = mapped_column(String(128))
    subject: Mapped[str] = mapped_column(String(120))
    id_number_hash: Mapped[str] = mapped_column(String(64))
    id_number_masked: Mapped[str] = mapped_column(String(18))
    id_number_audit_hash: Mapped[str] = mapped_column(String(64))  # for the audit events
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
