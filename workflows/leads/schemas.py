"""Lead API shapes."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from workflows.fields import PhoneNumber, TownshipCode


class LeadIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    channel: str = Field(min_length=1, max_length=20)
    channel_user_id: str = Field(min_length=1, max_length=100)
    township_code: TownshipCode
    address: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, max_length=4000)
    contact_phone: PhoneNumber = None
    urgent: bool = False


class LeadCreatedOut(BaseModel):
    id: int
    number: str
    township_code: str


class LeadOut(LeadCreatedOut):
    address: str
    description: str
    contact_phone: str | None
    urgent: bool
    status: str
    created_at: dt.datetime
    # the 临时救助 application opened from it (转临时救助申请, workflows/followups); else null
    application_number: str | None = None
