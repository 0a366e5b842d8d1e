"""Hardship reports (主动发现): a neighbour in difficulty -> POST /api/leads."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client, parsing
from actions.common import FORM_SLOTS, latest_intent, reset_slots
from actions.form_base import HuiminFormValidation, township_code, yes_no
from actions.identity import parse_sender
from huimin.townships import from_text as township_from_text

_URGENT = re.compile(r"急|马上|立刻|危险|快")
_NOT_URGENT = re.compile(r"不急|不太急|不着急|不用急")
NO_CONTACT = "none"


class ValidateHardshipForm(HuiminFormValidation):
    def name(self) -> str:
        return "validate_hardship_form"

    def validate_lead_township(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        township = township_from_text(self.answer_text(value, tracker))
        if not township:
            return self.reject(
                dispatcher, tracker, "lead_township", "utter_invalid_lead_township"
            )
        return self.accept({"lead_township": township.name})

    def _free_text(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        text = self.answer_text(value, tracker)
        if len(text) < 2 or self.too_long(text) or text.startswith("/"):
            return self.reject(dispatcher, tracker, slot, f"utter_invalid_{slot}")
        return self.accept({slot: text})

    def validate_lead_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        return self._free_text("lead_address", value, dispatcher, tracker)

    def validate_lead_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        return self._free_text("lead_description", value, dispatcher, tracker)

    def validate_lead_urgent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return self.accept({"lead_urgent": value})
        text = self.answer_text(value, tracker)
        if _NOT_URGENT.search(text):
            return self.accept({"lead_urgent": False})
        answer = True if _URGENT.search(text) else yes_no(tracker, text)
        if answer is None:
            return self.reject(dispatcher, tracker, "lead_urgent", "utter_please_choose")
        return self.accept({"lead_urgent": answer})

    def validate_lead_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text = self.answer_text(value, tracker)
        phone = parsing.find_phone(text)
        if phone:
            return self.accept({"lead_contact": phone})
        if latest_intent(tracker) == "deny" or re.search(r"不留|不用|不要|不方便|匿名|算了", text):
            return self.accept({"lead_contact": NO_CONTACT})
        return self.reject(dispatcher, tracker, "lead_contact", "utter_invalid_phone")


class ActionSubmitLead(Action):
    def name(self) -> str:
        return "action_submit_lead"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        identity = parse_sender(tracker.sender_id)
        contact = tracker.get_slot("lead_contact")
        urgent = bool(tracker.get_slot("lead_urgent"))
        lead = {
            "channel": identity.channel,
            "channel_user_id": identity.channel_user_id,
            "township_code": township_code(tracker.get_slot("lead_township")),
            "address": tracker.get_slot("lead_address"),
            "description": tracker.get_slot("lead_description"),
            "contact_phone": None if contact in (None, NO_CONTACT) else contact,
            "urgent": urgent,
        }
        try:
            result = await api_client.get_client().create_lead(lead)
        except api_client.ApiUnavailableError:
            dispatcher.utter_message(response="utter_api_unavailable")
            return [SlotSet("offer", None)]
        except api_client.ApiRejectedError:
            dispatcher.utter_message(response="utter_lead_rejected")
            return [*reset_slots(FORM_SLOTS["hardship_form"]), SlotSet("offer", None)]
        dispatcher.utter_message(response="utter_lead_created", number=str(result.get("number")))
        if urgent:
            dispatcher.utter_message(response="utter_lead_urgent_note")
        return [*reset_slots(FORM_SLOTS["hardship_form"]), SlotSet("offer", None)]
