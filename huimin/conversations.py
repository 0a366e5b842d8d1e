"""Retention of Rasa conversations: ``python -m huimin prune-conversations``.

Rasa's SQL tracker store (``rasa_addons.tracker_store``) keeps one row per event in the table
``events`` of ``settings.effective_tracker_store_url``. A conversation whose latest event is older
than ``conversation_retention_days`` is deleted whole.
"""

from __future__ import annotations

import time

from sqlalchemy import create_engine, inspect, text

from huimin.settings import Settings

SECONDS_PER_DAY = 86400


def project_database_url(url: str) -> str:
    """The tracker store URL for the project's SQLAlchemy 2 with psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def prune_conversations(settings: Settings, *, now: float | None = None) -> int:
    """Delete the conversations idle longer than the retention; return how many."""
    cutoff = (time.time() if now is None else now) - (
        settings.conversation_retention_days * SECONDS_PER_DAY
    )
    engine = create_engine(project_database_url(settings.effective_tracker_store_url))
    try:
        if not inspect(engine).has_table("events"):
            return 0  # Rasa has not stored a conversation yet
        with engine.begin() as connection:
            stale = (
                connection.execute(
                    text(
                        "SELECT sender_id FROM events GROUP BY sender_id "
                        "HAVING MAX(timestamp) < :cutoff"
                    ),
                    {"cutoff": cutoff},
                )
                .scalars()
                .all()
            )
            for sender_id in stale:
                connection.execute(
                    text("DELETE FROM events WHERE sender_id = :sender_id"),
                    {"sender_id": sender_id},
                )
        return len(stale)
    finally:
        engine.dispose()
