"""Rasa's SQL tracker store with personal data masked before it is written.

Configured in the generated endpoints file (launcher/processes.py ``write_endpoints``)::

    tracker_store:
      type: rasa_addons.tracker_store.MaskingSQLTrackerStore
      url: ${HUIMIN_TRACKER_STORE_URL}

Runs inside the Rasa server (``.venv-rasa``): imports only Rasa, SQLAlchemy 1.4 and the
standard library. What is masked and when: ``rasa_addons.masking``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import AllSlotsReset, Restarted, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from rasa_addons.masking import (
    broker_event,
    mask_new_event,
    mask_superseded_slot,
    superseded_positions,
)

logger = logging.getLogger(__name__)
REQUESTED_SLOT = "requested_slot"
# A database restart takes seconds; a resident's message waits that long rather than being
# answered from memory and never stored (see MaskingSQLTrackerStore._retrying).
UNAVAILABLE_RETRY_SECONDS = 30.0
RETRY_FIRST_DELAY_SECONDS = 0.5
RETRY_MAX_DELAY_SECONDS = 4.0
T = TypeVar("T")


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
    """``SQLTrackerStore`` whose ``save`` masks events on the way to the database, and which
    waits out a database restart instead of losing the turn (``_retrying``)."""

    def __init__(
        self,
        *args: Any,
        host: str | None = None,
        unavailable_retry_seconds: float = UNAVAILABLE_RETRY_SECONDS,
        **kwargs: Any,
    ) -> None:
        if not host or "://" not in host:
            raise ValueError("MaskingSQLTrackerStore needs a database URL (url: in endpoints)")
        super().__init__(*args, host=rasa_database_url(host), **kwargs)
        self.unavailable_retry_seconds = float(unavailable_retry_seconds)
        self._ping_before_use()

    def _ping_before_use(self) -> None:
        """Rasa creates its engine without ``pool_pre_ping``: after the database restarted, each
        pooled connection failed once, on a resident's message, however long after. With the
        ping, a dead connection is replaced when it is taken from the pool
        (scripts/faults/postgres_restart.py)."""
        stale: sa.engine.Engine = self.engine
        self.engine: sa.engine.Engine = sa.create_engine(
            stale.url, pool_pre_ping=True, **create_engine_kwargs(stale.url)
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        stale.dispose()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._retrying(lambda: self._retrieve(sender_id, False), "retrieve")

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self._retrying(lambda: self._retrieve(conversation_id, True), "retrieve")

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """The new events to the event broker (when one is configured), masked by
        ``broker_event``: no texts, personal slot values masked, ID numbers never raw."""
        if self.event_broker is None:
            return
        old_tracker = await self.retrieve(tracker.sender_id)
        first_new = len(old_tracker.events) if old_tracker else 0
        requested: Any = None
        for position, event in enumerate(tracker.events):
            if position >= first_new:
                body: dict[str, Any] = {"sender_id": tracker.sender_id}
                body.update(broker_event(event.as_dict(), requested_slot=requested))
                self.event_broker.publish(body)
            if isinstance(event, SlotSet) and event.key == REQUESTED_SLOT:
                requested = event.value
            elif isinstance(event, (Restarted, AllSlotsReset, SessionStarted)):
                requested = None

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)

        async def store() -> None:
            self._store(tracker)

        await self._retrying(store, "save")

    async def _retrying(self, operation: Callable[[], Awaitable[T]], what: str) -> T:
        """Run ``operation``; while the database is unreachable (restarting, failing over),
        wait and run it again, for ``unavailable_retry_seconds`` at most. Rasa's fail-safe
        wrapper would otherwise answer the resident from an in-memory tracker: a retrieve
        that fails starts the conversation afresh, and a save that fails is never written.
        A repeated save is harmless: it adds only the events not stored yet."""
        deadline = time.monotonic() + self.unavailable_retry_seconds
        delay = RETRY_FIRST_DELAY_SECONDS
        while True:
            try:
                return await operation()
            except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
                if time.monotonic() + delay > deadline:
                    raise
                reason = type(getattr(exc, "orig", exc)).__name__
                logger.warning(
                    "tracker store %s: database unavailable (%s), again in %.1fs",
                    what,
                    reason,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_DELAY_SECONDS)

    def _store(self, tracker: DialogueStateTracker) -> None:
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
