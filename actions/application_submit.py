"""Submitting the joint application; cancelling any form."""

from __future__ import annotations

import hashlib
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client, household
from actions.common import FORM_SLOTS, due_text, last_active_form, privacy_reset, reset_slots
from actions.form_base import in_district, township_code
from actions.identity import parse_sender


def idempotency_key(sender_id: str, form_uuid: str) -> str:
    """Stable per (conversation, form instance): a retry never submits twice."""
    return hashlib.sha256(f"{sender_id}:{form_uuid}".encode()).hexdigest()


async def members_with_incomes(tracker: Tracker) -> list[dict[str, Any]]:
    """The members, each with its own incomes: as the form kept them, or (when the API was
    unavailable while the resident answered) read now from the kept ``income_text`` and the
    kept words of a member."""
    members = await household.resolve_pending([dict(m) for m in tracker.get_slot("members") or []])
    text = tracker.get_slot("income_text") or ""
    if members and text and not all("incomes" in m for m in members):
        parsed = await household.parse("income", text, members)
        members, _ = household.with_incomes(members, parsed)
    own_text = tracker.get_slot("own_income_text") or ""
    if own_text and household.own_income_unknown(members):
        # the applicant's own income was kept as typed while the API was unavailable
        applicant = [m for m in members if m.get("relation") == "本人"][:1]
        parsed = await household.parse("income", own_text, applicant)
        members = household.with_own_income(members, household.own_income(parsed))
    for member in members:
        member.setdefault("serious_illness", False)
        member.setdefault("in_school", False)
        member.setdefault("incomes", [])
    return [household.for_submission(member) for member in members]


async def build_application(tracker: Tracker) -> dict[str, Any]:
    """The POST /api/applications body from the form's slots (docs/API.md).

    Property and spending are read from the kept texts by the API here; raises
    :class:`api_client.ApiUnavailableError` when it cannot be reached.
    """
    identity = parse_sender(tracker.sender_id)
    hukou = tracker.get_slot("hukou_township")
    property_text = tracker.get_slot("property_text") or ""
    expenses_text = tracker.get_slot("expenses_text") or ""
    property_items = (
        household.property_items(await household.parse("property", property_text))
        if property_text
        else []
    )
    expenditures = (
        household.expenditures(await household.parse("expenses", expenses_text))
        if expenses_text
        else []
    )
    return {
        "channel": identity.channel,
        "channel_user_id": identity.channel_user_id,
        "entered_by_staff": identity.staff_username,
        "consent_verification": True,
        "consent_at": tracker.get_slot("consent_at"),
        "applicant": {
            "name": tracker.get_slot("applicant_name"),
            "id_number": tracker.get_slot("id_number"),
            "phone": tracker.get_slot("phone"),
        },
        "hukou_township_code": township_code(hukou),
        "hukou_region_text": None if in_district(hukou) else hukou,
        "residence_township_code": township_code(tracker.get_slot("residence_township")),
        "has_residence_permit": bool(tracker.get_slot("has_residence_permit")),
        "programs": list(tracker.get_slot("programs") or []),
        "members": await members_with_incomes(tracker),
        "property": property_items,
        "expenditures": expenditures,
        "documents_later": tracker.get_slot("documents_later") is not False,
    }


def _latest_due_date(cases: list[dict[str, Any]]) -> str:
    dated = [case for case in cases if case.get("due_date")]
    return due_text(max(dated, key=lambda case: str(case["due_date"]))) if dated else ""


class ActionSubmitApplication(Action):
    def name(self) -> str:
        return "action_submit_application"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not tracker.get_slot("summary_confirmed") or not tracker.get_slot("consent"):
            # The form ended without confirmation (consent refused): nothing to send or keep.
            return privacy_reset()
        form_uuid = str(tracker.get_slot("application_uuid") or "")
        key = idempotency_key(tracker.sender_id, form_uuid)
        try:
            result = await api_client.get_client().submit_application(
                await build_application(tracker), key
            )
        except api_client.ApiUnavailableError:
            dispatcher.utter_message(response="utter_submit_failed")
            return [SlotSet("offer", "submit")]
        except api_client.ApiRejectedError as error:
            dispatcher.utter_message(
                response="utter_submit_rejected", reason=error.message or "信息不完整"
            )
            return [SlotSet("summary_confirmed", None), SlotSet("offer", "apply")]

        cases = list(result.get("cases") or [])
        dispatcher.utter_message(
            response="utter_application_submitted",
            number=str(result.get("number") or ""),
            due_date=_latest_due_date(cases),
        )
        for case in cases:
            dispatcher.utter_message(
                response="utter_application_case",
                program_label=str(case.get("program_label") or case.get("program") or ""),
                township=str(case.get("handling_township_name") or ""),
                due_date=due_text(case),
                routing_reason=str(case.get("routing_reason") or ""),
            )
        if tracker.get_slot("documents_later") is False:
            dispatcher.utter_message(response="utter_documents_upload_now")
        else:
            dispatcher.utter_message(response="utter_documents_later")
        return [*privacy_reset(), SlotSet("last_application_number", result.get("number"))]


class ActionCancelForm(Action):
    """Cancel the form that was last active; what was already submitted stays submitted."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        form = last_active_form(tracker)
        dispatcher.utter_message(response="utter_form_cancelled")
        if form == "application_form":
            return privacy_reset()
        return [*reset_slots(FORM_SLOTS.get(form or "", ())), SlotSet("offer", None)]
