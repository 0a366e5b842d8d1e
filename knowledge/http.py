"""HTTP API of the knowledge base, mounted by the API service (placeholder)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI

from huimin.settings import Settings

router = APIRouter(tags=["knowledge"])


def install(app: FastAPI, settings: Settings) -> None:
    """Attach the knowledge service to the app (lazily loaded) and its status for /api/health."""

    def status() -> dict[str, Any]:
        return {"ok": False, "chunks": 0, "detail": "knowledge base not built yet"}

    app.state.knowledge_status = status
    app.include_router(router)
