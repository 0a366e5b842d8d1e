"""Token request and answer."""

from __future__ import annotations

from pydantic import BaseModel, Field


class TokenIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class StaffOut(BaseModel):
    username: str
    display_name: str
    role: str
    role_label: str
    township_code: str | None
    township_name: str


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    user: StaffOut
