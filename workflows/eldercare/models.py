"""The elder-care service directory: one row per facility (imported from CSV, edited by staff)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base
from workflows.db_types import UTCDateTime


class Facility(Base):
    __tablename__ = "eldercare_facilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # the import file's 编号
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30), index=True)  # vocab.FacilityKind
    township_code: Mapped[str] = mapped_column(String(12), index=True)
    community: Mapped[str] = mapped_column(String(60))  # 村/社区
    address: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    hours: Mapped[str] = mapped_column(String(100))
    services: Mapped[str] = mapped_column(String(200))  # vocab.Service codes joined by ","
    price_note: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40))
    operator: Mapped[str] = mapped_column(String(100))
    checked_on: Mapped[dt.date] = mapped_column(Date)
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    total_beds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    nursing_beds: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 护理型床位
    dementia_zone: Mapped[bool] = mapped_column(Boolean, default=False)  # 失智照护专区
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))

    @property
    def service_codes(self) -> list[str]:
        return [code for code in self.services.split(",") if code]
