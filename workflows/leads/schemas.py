"""Lead API shapes."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from huimin import townships

_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


class LeadIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    channel: str = Field(min_length=1, max_length=20)
    channel_user_id: str = Field(min_length=1, max_length=100)
    township_code: str
    address: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, max_length=4000)
    contact_phone: str | None = None
    urgent: bool = False

    @field_validator("township_code")
    @classmethod
    def _known_township(cls, value: str) -> str:
        if townships.by_code(value) is None:
            raise ValueError(f"乡镇(街道)代码不存在:{value}")
        return value

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not _PHONE.match(value.replace(" ", "")):
            raise ValueError("联系电话格式不正确(11位手机号或带区号的固定电话)")
        return value.replace(" ", "")


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
