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


class HandoffOut(HandoffSummaryOut):
    transcript: list[Any]


class HandoffReleaseOut(HandoffSummaryOut):
    conversation_resumed: bool


class HandoffActiveOut(BaseModel):
    active: bool
    handoff: HandoffOut | None
