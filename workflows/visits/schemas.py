"""Visit API shapes (Chinese validation messages through workflows.validation)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from workflows.fields import TownshipCode
from workflows.validation import ChineseMessages
from workflows.visits.enums import RiskFlag, VisitWay


class VisitIn(ChineseMessages):
    model_config = ConfigDict(str_strip_whitespace=True)

    target_id: int = Field(ge=1, le=2_147_483_647)
    visited_on: dt.date
    way: VisitWay
    seen: str = Field(min_length=1, max_length=100, description="见到的人:本人、配偶、子女……")
    findings: str = Field(default="", max_length=4000)
    risk_flags: list[RiskFlag] = Field(default_factory=list, max_length=4)


class VisitOut(BaseModel):
    id: int
    target_id: int
    visited_on: dt.date
    way: str
    lead_id: int | None
    lead_number: str | None
    urgent: bool


class CategoryRateOut(BaseModel):
    category: str
    label: str
    targets: int
    visited: int
    rate: float


class RateOut(BaseModel):
    month: str
    township: str | None
    targets: int
    visited: int
    rate: float
    by_category: list[CategoryRateOut]


class TargetOut(BaseModel):
    id: int
    name: str
    id_number: str  # masked
    township_code: str
    village: str
    categories: list[str]
    worker_username: str | None
    added_on: dt.date
    removed_on: dt.date | None
    visited_this_month: bool = False
    last_visit_on: dt.date | None = None


class RemoveIn(ChineseMessages):
    model_config = ConfigDict(str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=300)


class AreaIn(ChineseMessages):
    model_config = ConfigDict(str_strip_whitespace=True)

    username: str = Field(min_length=1, max_length=64)
    township_code: TownshipCode
    village: str = Field(min_length=1, max_length=60)


class ImportOut(BaseModel):
    created: int
    updated: int
