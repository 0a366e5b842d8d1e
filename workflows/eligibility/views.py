"""HTTP API for eligibility pre-screening (placeholder until the rules land)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["eligibility"])
