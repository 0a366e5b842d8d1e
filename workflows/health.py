"""Health endpoint: reports the database and the knowledge index."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import text

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
    return {"status": status, "database": database, "knowledge": knowledge}
