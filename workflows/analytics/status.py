"""The analytics part of ``GET /api/health``: "none" without a broker (development profile)."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, func, select

from huimin.settings import Settings
from workflows.analytics.models import AnalyticsStep

PROBE_SECONDS = 0.5


def broker_status(settings: Settings, engine: Engine) -> dict[str, Any]:
    """Kind, queue, whether RabbitMQ accepts a TCP connection, and the newest step recorded."""
    if not settings.event_broker_url:
        return {"kind": "none"}
    parsed = urlsplit(settings.event_broker_url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 5672
    try:
        with socket.create_connection((host, port), timeout=PROBE_SECONDS):
            reachable = True
    except OSError:
        reachable = False
    latest: Any = None
    try:
        with engine.connect() as connection:
            latest = connection.execute(select(func.max(AnalyticsStep.reached_at))).scalar()
    except Exception:  # report, never raise from a health check
        latest = None
    return {
        "kind": "rabbitmq",
        "ok": reachable,
        "queue": settings.event_broker_queue,
        "latest_step_at": latest.isoformat() if hasattr(latest, "isoformat") else latest,
    }
