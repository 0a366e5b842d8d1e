"""Outbox API shapes (docs/API.md)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class ClaimIn(BaseModel):
    channel: str = Field(min_length=1, max_length=20)
    limit: int = Field(default=20, ge=1, le=100)
    lease_seconds: int = Field(default=60, ge=5, le=3600)


class ClaimedOut(BaseModel):
    id: int
    channel: str
    channel_user_id: str | None
    text: str
    application_number: str | None
    attempts: int


class DeliveredOut(BaseModel):
    id: int
    status: str


class FailedIn(BaseModel):
    error: str = Field(min_length=1, max_length=2000)
    retry_after_seconds: int | None = Field(default=None, ge=0, le=86400)


class FailedOut(BaseModel):
    id: int
    status: str
    next_attempt_at: dt.datetime | None
