"""Request and response bodies of /api/identity (the contract in docs/API.md)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from workflows.fields import IdNumber

# The Rasa sender ids: web:<uuid>, telegram:<id>, wechat:<openid>, counter:<staff username>:<uuid>
_SUBJECT = re.compile(r"^(web|telegram|wechat|counter):[A-Za-z0-9_.@:\-]{1,110}$")


def _subject(value: str) -> str:
    if not _SUBJECT.match(value):
        raise ValueError("对话标识格式不正确(应为 web:…、telegram:…、wechat:… 或 counter:…)")
    return value


Subject = Annotated[str, AfterValidator(_subject)]


class SubjectIdIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: Subject
    id_number: IdNumber


class SmsVerifyIn(SubjectIdIn):
    code: str = Field(min_length=1, max_length=12)


class CounterIn(SubjectIdIn):
    staff_username: str = Field(min_length=1, max_length=64)


class SmsMethodOut(BaseModel):
    available: bool
    phone_masked: str | None


class CounterMethodOut(BaseModel):
    available: bool


class OidcMethodOut(BaseModel):
    available: bool
    url: str | None


class MethodsOut(BaseModel):
    sms: SmsMethodOut
    counter: CounterMethodOut
    oidc: OidcMethodOut


class StatusOut(BaseModel):
    verified: bool
    method: str | None
    verified_at: dt.datetime | None
    methods: MethodsOut


class SmsSentOut(BaseModel):
    sent: bool
    phone_masked: str
    expires_in_seconds: int


class VerifiedOut(BaseModel):
    verified: bool
    method: str
