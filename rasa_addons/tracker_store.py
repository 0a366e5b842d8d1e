"""Rasa's SQL tracker store with personal data masked before it is written.

Configured in the generated endpoints file (launcher/processes.py ``write_endpoints``)::

    tracker_store:
      type: rasa_addons.tracker_store.MaskingSQLTrackerStore
      url: ${HUIMIN_TRACKER_STORE_URL}

Runs inside the Rasa server (``.venv-rasa``): imports only Rasa, SQLAlchemy 1.4 and the
standard library. What is masked and when: ``rasa_addons.masking``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import AllSlotsReset, Restarted, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from rasa_addons.masking import (
    mask_new_event,
    mask_superseded_slot,
    superseded_positions,
)

logger = logging.getLogger(__name__)
REQUESTED_SLOT = "requested_slot"


def rasa_database_url(url: str) -> str:
    """The URL for SQLAlchemy 1.4 with psycopg2 (Rasa's environment): the project's
    ``postgresql+psycopg://`` spelling becomes ``postgresql://``; an SQLite file's folder is
    created."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    return url


class MaskingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose ``save`` masks events on the way to the database."""

    def __init__(self, *args: Any, host: str | None = None, **kwargs: Any) -> None:
        if not host or "://" not in host:
            raise ValueError("MaskingSQLTrackerStore needs a database URL (url: in endpoints)")
        super().__init__(*args, host=rasa_database_url(host), **kwargs)
        self._ping_before_use()

    def _ping_before_use(self) -> None:
        """Rasa creates its engine without ``pool_pre_ping``: after the database restarted, each
        pooled connection failed once, on a resident's message, however long after. With the
        ping, a dead connection is replaced when it is taken from the pool
        (scripts/faults/postgres_restart.py)."""
        stale = self.engine
        self.engine = sa.create_engine(
            stale.url, pool_pre_ping=True, **create_engine_kwargs(stale.url)
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        stale.dispose()

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        with self.session_scope() as session:
            already_stored = self._event_query(
                session, tracker.sender_id, fetch_events_from_all_sessions=False
            ).count()
            requested: Any = None
            for position, event in enumerate(tracker.events):
                if position >= already_stored:
                    data = mask_new_event(event.as_dict(), requested_slot=requested)
                    session.add(
                        self.SQLEvent(
                            sender_id=tracker.sender_id,
                            type_name=event.type_name,
                            timestamp=data.get("timestamp"),
                            intent_name=(data.get("parse_data") or {})
                            .get("intent", {})
                            .get(INTENT_NAME_KEY),
                            action_name=data.get("name"),
                            data=json.dumps(data),
                        )
                    )
                if isinstance(event, SlotSet) and event.key == REQUESTED_SLOT:
                    requested = event.value
                elif isinstance(event, (Restarted, AllSlotsReset, SessionStarted)):
                    requested = None
            session.flush()
            self._mask_superseded_slots(session, tracker.sender_id)
            session.commit()
        logger.debug("tracker stored with personal data masked")

    def _mask_superseded_slots(self, session: Any, sender_id: str) -> None:
        rows = (
            session.query(self.SQLEvent)
            .filter(
                self.SQLEvent.sender_id == sender_id,
                self.SQLEvent.type_name == SlotSet.type_name,
            )
            .order_by(self.SQLEvent.id)
            .all()
        )
        events = [json.loads(row.data) for row in rows]
        for position in superseded_positions(events):
            masked = mask_superseded_slot(events[position])
            rows[position].data = json.dumps(masked)
