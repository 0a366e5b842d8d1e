"""Health endpoint: reports the database, the knowledge index and the analytics broker."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import text

from workflows.analytics.status import broker_status

router = APIRouter(tags=["health"])


@router.get("/api/health")
def health(request: Request) -> dict[str, Any]:
    database: dict[str, Any]
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = {"ok": True, "dialect": request.app.state.engine.dialect.name}
    except Exception as exc:  # report, never raise from a health check
        database = {"ok": False, "error": type(exc).__name__}
    knowledge = request.app.state.knowledge_status()
    status = "ok" if database["ok"] and knowledge.get("ok") else "degraded"
    # analytics never degrade the service: the dialogue works without them (they catch up)
    analytics = broker_status(request.app.state.settings, request.app.state.engine)
    return {"status": status, "database": database, "knowledge": knowledge, "analytics": analytics}
