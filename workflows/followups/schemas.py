"""API shapes of the visit follow-ups."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class ConvertIn(BaseModel):
    # the person (or a relative) agreed to the check of the household's finances (as at the counter)
    consent_verification: bool = False


class ConversionOut(BaseModel):
    lead_id: int
    application_id: int
    application_number: str
    case_id: int
    case_status: str
    handling_township_code: str
    created: bool


class AlertOut(BaseModel):
    id: int
    township_code: str
    text: str
    shown_to: str
    shown_at: dt.datetime
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None


class AlertListOut(BaseModel):
    count: int
    alerts: list[AlertOut]
