"""Application status: by the verified channel identity, or by number + ID number."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client, parsing
from actions.common import FORM_SLOTS, due_text, reset_slots
from actions.form_base import HuiminFormValidation
from actions.identity import parse_sender
from huimin.idcard import InvalidIdNumber, parse

MAX_APPLICATIONS_SHOWN = 3
TOO_MANY_REQUESTS = 429


def utter_application(dispatcher: CollectingDispatcher, application: dict[str, Any]) -> None:
    dispatcher.utter_message(
        response="utter_status_application", number=str(application.get("number") or "")
    )
    for case in application.get("cases") or []:
        dispatcher.utter_message(
            response="utter_status_case",
            program_label=str(case.get("program_label") or case.get("program") or ""),
            status_label=str(case.get("status_label") or case.get("status") or ""),
            due_date=due_text(case),
        )
        if case.get("needs_from_resident"):
            dispatcher.utter_message(
                response="utter_status_needs", needs=str(case["needs_from_resident"])
            )


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        identity = parse_sender(tracker.sender_id)
        try:
            applications = await api_client.get_client().resident_applications(
                identity.channel, identity.channel_user_id
            )
        except api_client.ApiError:
            dispatcher.utter_message(response="utter_api_unavailable")
            return [SlotSet("offer", None)]
        if not applications:
            dispatcher.utter_message(response="utter_status_none")
            return [SlotSet("offer", "lookup")]
        for application in applications[:MAX_APPLICATIONS_SHOWN]:
            utter_application(dispatcher, application)
        return [SlotSet("offer", None)]


class ValidateStatusLookupForm(HuiminFormValidation):
    def name(self) -> str:
        return "validate_status_lookup_form"

    def validate_lookup_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text = self.answer_text(value, tracker)
        number = "".join(ch for ch in text if ch.isascii() and (ch.isalnum() or ch == "-"))
        if self.too_long(text) or len(number) < 6:
            return self.reject(dispatcher, tracker, "lookup_number", "utter_invalid_lookup_number")
        return self.accept({"lookup_number": number.upper()})

    def validate_lookup_id_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text = self.answer_text(value, tracker)
        try:
            info = parse(parsing.find_id_number(text) or text)
        except InvalidIdNumber as error:
            return self.reject(
                dispatcher,
                tracker,
                "lookup_id_number",
                "utter_invalid_id_number",
                reason=str(error),
            )
        return self.accept({"lookup_id_number": info.number})


class ActionStatusLookup(Action):
    def name(self) -> str:
        return "action_status_lookup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        done = [*reset_slots(FORM_SLOTS["status_lookup_form"]), SlotSet("offer", None)]
        try:
            application = await api_client.get_client().status_lookup(
                str(tracker.get_slot("lookup_number") or ""),
                str(tracker.get_slot("lookup_id_number") or ""),
                conversation_id=tracker.sender_id,
            )
        except api_client.ApiRejectedError as rejected:
            if rejected.status_code == TOO_MANY_REQUESTS:
                dispatcher.utter_message(
                    response="utter_status_lookup_too_many",
                    detail=rejected.message or "查询过于频繁,请稍后再试",
                )
            else:
                dispatcher.utter_message(response="utter_status_lookup_not_found")
            return done
        except api_client.ApiUnavailableError:
            dispatcher.utter_message(response="utter_api_unavailable")
            return done
        utter_application(dispatcher, application)
        return done
