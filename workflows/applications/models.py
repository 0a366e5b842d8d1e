"""Application, household members, their incomes, property and rigid expenditures."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.db import Base
from workflows.db_types import UTCDateTime

if TYPE_CHECKING:
    from workflows.cases.models import ProgramCase

Money = Numeric(14, 2, asdecimal=False)


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    channel_user_id: Mapped[str | None] = mapped_column(String(100), index=True, nullable=True)
    entered_by_staff: Mapped[str | None] = mapped_column(String(64), nullable=True)
    consent_verification: Mapped[bool] = mapped_column(Boolean)
    consent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    applicant_name: Mapped[str] = mapped_column(String(60))
    applicant_id_number: Mapped[str] = mapped_column(String(18), index=True)
    applicant_phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    hukou_township_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    hukou_region_text: Mapped[str | None] = mapped_column(String(200), nullable=True)
    residence_township_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    has_residence_permit: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_township_code: Mapped[str] = mapped_column(String(12), index=True)
    documents_later: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Whether the applicant's identity was verified, looked up by the API itself at submission
    # (workflows/applications/identity.py) or recorded by a staff member's ID card check later.
    identity_verified_method: Mapped[str | None] = mapped_column(String(16), nullable=True)
    identity_verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    identity_verified_by: Mapped[str | None] = mapped_column(String(64), nullable=True)  # counter

    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="application",
        order_by="HouseholdMember.position",
        cascade="all, delete-orphan",
    )
    property_items: Mapped[list[PropertyItem]] = relationship(cascade="all, delete-orphan")
    expenditures: Mapped[list[Expenditure]] = relationship(cascade="all, delete-orphan")
    cases: Mapped[list[ProgramCase]] = relationship(
        back_populates="application", order_by="ProgramCase.id"
    )


class HouseholdMember(Base):
    __tablename__ = "household_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    relation: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(60))
    id_number: Mapped[str] = mapped_column(String(18))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(2))
    disability_category: Mapped[str | None] = mapped_column(String(10), nullable=True)
    disability_grade: Mapped[int | None] = mapped_column(Integer, nullable=True)
    serious_illness: Mapped[bool] = mapped_column(Boolean, default=False)
    in_school: Mapped[bool] = mapped_column(Boolean, default=False)
    # The person's own monthly income for 特困 (not counting 基础养老金, 高龄津贴 …), as the
    # resident gave it when the household's income was one figure; None: not asked.
    own_income_monthly: Mapped[float | None] = mapped_column(Money, nullable=True)

    application: Mapped[Application] = relationship(back_populates="members")
    incomes: Mapped[list[IncomeItem]] = relationship(cascade="all, delete-orphan")


class IncomeItem(Base):
    __tablename__ = "income_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("household_members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    monthly_amount: Mapped[float] = mapped_column(Money)
    exempt: Mapped[bool] = mapped_column(Boolean)  # not counted as income ([DB] art. 13)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")


class PropertyItem(Base):
    __tablename__ = "property_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[float] = mapped_column(Money)
    note: Mapped[str] = mapped_column(Text, default="")
    # The household's only self-occupied home (唯一自住房): a fact, not a value.
    only_home: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Expenditure(Base):
    __tablename__ = "expenditures"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    annual_amount: Mapped[float] = mapped_column(Money)
