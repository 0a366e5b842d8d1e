"""Hand-off API shapes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from workflows.fields import OptionalTownshipCode


class HandoffIn(BaseModel):
    channel: str = Field(min_length=1, max_length=20)
    channel_user_id: str = Field(min_length=1, max_length=100)
    reason: str = Field(default="", max_length=2000)
    transcript: list[Any] = Field(default_factory=list, max_length=500)
    conversation_id: str | None = Field(default=None, min_length=1, max_length=200)
    # The township the resident named in the conversation; null: the district queue.
    township_code: OptionalTownshipCode = None


class HandoffSummaryOut(BaseModel):
    """A hand-off without its transcript (lists; reading the transcript is audited)."""

    id: int
    status: str
    channel: str
    channel_user_id: str
    reason: str
    township_code: str | None = None
    township_name: str
    created_at: dt.datetime
    released_at: dt.datetime | None
    released_by: str | None
    conversation_id: str | None = None
    waiting_since: dt.datetime | None = None
    # waiting: seconds since waiting_since; active: seconds waited before the claim; closed: null
    waiting_seconds: int | None = None
    claimed_by: str | None = None
    claimed_at: dt.datetime | None = None
    staff_display_name: str | None = None
    first_response_at: dt.datetime | None = None


class HandoffOut(HandoffSummaryOut):
    transcript: list[Any]


class HandoffReleaseOut(HandoffSummaryOut):
    conversation_resumed: bool


class HandoffActiveOut(BaseModel):
    active: bool
    handoff: HandoffOut | None


class ResidentMessageIn(BaseModel):
    """What a resident typed while the assistant is paused (the bridge, internal caller)."""

    channel: str = Field(min_length=1, max_length=20)
    channel_user_id: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=4096)  # a Telegram message at most


class ResidentHandoffOut(BaseModel):
    status: str
    staff_display_name: str | None


class ResidentMessageOut(BaseModel):
    # false: no open hand-off, the message goes to the assistant as usual
    accepted: bool
    handoff: ResidentHandoffOut | None


class MessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=1000)


class MessageOut(BaseModel):
    id: int
    sender: str = Field(serialization_alias="from")
    text: str
    at: dt.datetime
    staff_display_name: str | None = None


class TransferIn(BaseModel):
    # null: the district queue
    township_code: OptionalTownshipCode = None


class CloseIn(BaseModel):
    summary: str = Field(default="", max_length=200)
