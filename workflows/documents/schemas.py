"""Upload answer."""

from __future__ import annotations

from pydantic import BaseModel


class DocumentOut(BaseModel):
    id: int
    kind: str
    size: int
    sha256: str
    case_id: int | None
