"""Retention of Rasa conversations: ``python -m launcher prune-conversations``.

Rasa's SQL tracker store (``rasa_addons.tracker_store``) keeps one row per event in the table
``events`` of ``settings.effective_tracker_store_url``.

- A conversation whose latest event is older than ``conversation_retention_days`` is deleted.
- A conversation idle for ``forget_after_hours`` forgets the personal data of an unfinished form:
  a ``SlotSet(name, None)`` row is appended for every personal slot still holding a value (the
  form asks again if the resident comes back) and the earlier values are masked, as after the
  privacy reset. Only idle conversations are touched, so Rasa is not writing them meanwhile.
"""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import Connection, create_engine, inspect, text

from huimin.settings import Settings
from rasa_addons.masking import is_sensitive_slot, mask_superseded_slot, superseded_positions

SECONDS_PER_DAY = 86400
FORGET_AFTER_HOURS = 24


def project_database_url(url: str) -> str:
    """The tracker store URL for the project's SQLAlchemy 2 with psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _idle_senders(connection: Connection, cutoff: float) -> list[str]:
    rows = connection.execute(
        text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"),
        {"cutoff": cutoff},
    )
    return [str(sender_id) for sender_id in rows.scalars()]


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
            stale = _idle_senders(connection, cutoff)
            for sender_id in stale:
                connection.execute(
                    text("DELETE FROM events WHERE sender_id = :sender_id"),
                    {"sender_id": sender_id},
                )
        return len(stale)
    finally:
        engine.dispose()


def _forget(connection: Connection, sender_id: str) -> bool:
    rows = connection.execute(
        text(
            "SELECT id, data, timestamp FROM events WHERE sender_id = :s AND type_name = 'slot' "
            "ORDER BY id"
        ),
        {"s": sender_id},
    ).all()
    events: list[dict[str, Any]] = [json.loads(data) for _id, data, _stamp in rows]
    current: dict[str, Any] = {}
    for event in events:
        current[str(event.get("name") or "")] = event.get("value")
    held = [
        name for name, value in current.items() if value is not None and is_sensitive_slot(name)
    ]
    if not held:
        return False
    latest = connection.execute(
        text("SELECT MAX(timestamp) FROM events WHERE sender_id = :s"), {"s": sender_id}
    ).scalar_one()
    for name in held:  # stamped with the latest time: the conversation stays as idle as it was
        connection.execute(
            text(
                "INSERT INTO events (sender_id, type_name, timestamp, data) "
                "VALUES (:s, 'slot', :t, :d)"
            ),
            {
                "s": sender_id,
                "t": latest,
                "d": json.dumps(
                    {"event": "slot", "timestamp": latest, "name": name, "value": None}
                ),
            },
        )
    events += [{"event": "slot", "name": name, "value": None} for name in held]
    for position in superseded_positions(events):
        if position < len(rows):
            connection.execute(
                text("UPDATE events SET data = :d WHERE id = :id"),
                {"d": json.dumps(mask_superseded_slot(events[position])), "id": rows[position][0]},
            )
    return True


def forget_idle_personal_data(
    settings: Settings, *, idle_hours: float = FORGET_AFTER_HOURS, now: float | None = None
) -> int:
    """Clear and mask the personal slots of conversations idle for ``idle_hours``; how many."""
    cutoff = (time.time() if now is None else now) - idle_hours * 3600
    engine = create_engine(project_database_url(settings.effective_tracker_store_url))
    try:
        if not inspect(engine).has_table("events"):
            return 0
        with engine.begin() as connection:
            return sum(_forget(connection, sender) for sender in _idle_senders(connection, cutoff))
    finally:
        engine.dispose()
