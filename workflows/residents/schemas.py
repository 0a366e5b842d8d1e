"""Status lookup request."""

from __future__ import annotations

from pydantic import BaseModel, Field


class StatusLookupIn(BaseModel):
    number: str = Field(min_length=1, max_length=20)
    id_number: str = Field(min_length=1, max_length=30)
