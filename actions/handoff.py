"""Handing a conversation to a human: open a handoff in the API and pause the bot.

While paused, Rasa ignores the resident's messages (they still reach staff through the channel).
The handoff carries the sender id as ``conversation_id``; when staff release it (``POST
/api/handoffs/{id}/release`` or the /staff/handoffs page) the API resumes the Rasa conversation:
``POST {rasa_url}/conversations/{sender_id}/tracker/events`` with ``{"event": "resume"}``.

The handoff also carries the township the resident named (where they live, else their hukou,
else the latest township mentioned in the conversation), so that the township's staff take it;
none named: the district queue.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client
from actions.common import transcript
from actions.identity import parse_sender
from huimin.townships import from_text as township_from_text

TOWNSHIP_SLOTS = ("residence_township", "hukou_township")
TOWNSHIP_ENTITY = "township"


def _code_of(value: Any) -> str | None:
    township = township_from_text(str(value)) if value else None
    return township.code if township else None


def handoff_township(tracker: Tracker) -> str | None:
    """The district township this conversation is about (statistical code), else None."""
    for slot in TOWNSHIP_SLOTS:
        code = _code_of(tracker.get_slot(slot))
        if code:
            return code
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        entities = (event.get("parse_data") or {}).get("entities") or []
        for entity in reversed(entities):
            if entity.get("entity") == TOWNSHIP_ENTITY:
                code = _code_of(entity.get("value"))
                if code:
                    return code
    return None


async def open_handoff(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str
) -> list[EventType]:
    """Open a handoff and pause; if the API is down, say so and keep the bot running."""
    identity = parse_sender(tracker.sender_id)
    try:
        await api_client.get_client().open_handoff(
            identity.channel,
            identity.channel_user_id,
            reason,
            transcript(tracker),
            conversation_id=tracker.sender_id,
            township_code=handoff_township(tracker),
        )
    except api_client.ApiError:
        dispatcher.utter_message(response="utter_handoff_failed")
        return []
    dispatcher.utter_message(response="utter_handoff_opened")
    return [ConversationPaused()]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await open_handoff(dispatcher, tracker, "resident_request")
