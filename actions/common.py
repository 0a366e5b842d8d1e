"""Small helpers shared by the actions: tracker reading, transcripts, privacy resets."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from huimin.masking import mask_id_text

MAX_QUESTION_CHARS = 500

# Slots that hold personal data; reset once an application is submitted or cancelled.
SENSITIVE_SLOTS = (
    "id_number",
    "applicant_name",
    "phone",
    "members",
    "member_entry",
    "income_text",
    "property_text",
    "expenses_text",
    "illness_text",
    "own_income_text",
    "disability_text",
    "member_ages",
    "household_size",
    "lookup_id_number",
)

# Every slot of the application form, reset (with the sensitive ones) after submit or cancel.
APPLICATION_SLOTS = (
    "consent",
    "hukou_township",
    "residence_township",
    "household_confirmed",
    "programs",
    "program_picks",
    "documents_later",
    "summary_confirmed",
    "application_uuid",
    "registry_household",
    "identity_code",
    "consent_at",
    "has_residence_permit",
    "summary_change",
    "extra_programs",
    "program_offers",
    "income_owner",
    "requested_slot",
    "form_failures",
    "offer",
)


# Slots each form owns (reset when that form is cancelled or finished).
FORM_SLOTS: dict[str, tuple[str, ...]] = {
    "prescreen_form": (
        "household_size",
        "member_ages",
        "disability_text",
        "expenses_text",
        "requested_slot",
        "form_failures",
    ),
    "status_lookup_form": ("lookup_number", "lookup_id_number", "requested_slot", "form_failures"),
    "hardship_form": (
        "lead_township",
        "lead_address",
        "lead_description",
        "lead_urgent",
        "lead_contact",
        "requested_slot",
        "form_failures",
    ),
}


def last_active_form(tracker: Tracker) -> str | None:
    """The form most recently activated in this conversation."""
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name"):
            return str(event["name"])
    return None


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("intent", {}).get("name") or "")


def latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    """Values of one entity type in the latest message (synonyms already mapped)."""
    values = []
    for item in (tracker.latest_message or {}).get("entities", []) or []:
        if item.get("entity") == entity and item.get("value") is not None:
            values.append(str(item["value"]))
    return values


def transcript(tracker: Tracker, limit: int = 20) -> list[dict[str, str]]:
    """The last ``limit`` user and bot messages, for a human taking over."""
    lines: list[dict[str, str]] = []
    for event in tracker.events:
        kind = event.get("event")
        text = event.get("text")
        if kind in ("user", "bot") and text:
            role = "resident" if kind == "user" else "bot"
            lines.append({"role": role, "text": mask_id_text(str(text))})
    return lines[-limit:]


def reset_slots(names: tuple[str, ...] | list[str]) -> list[EventType]:
    return [SlotSet(name, None) for name in names]


def privacy_reset() -> list[EventType]:
    """Forget the personal data of an application once it is submitted or cancelled."""
    return reset_slots(list(dict.fromkeys(SENSITIVE_SLOTS + APPLICATION_SLOTS)))


def due_text(case: dict[str, Any]) -> str:
    """A case's due date as residents read it; a provisional one says why it may move, and one
    computed from a sample time limit says so (the API's ``due_date_sample``)."""
    due = str(case.get("due_date") or "")
    if due and case.get("due_date_provisional"):
        due = f"{due}(暂定:明年的节假日安排公布后可能调整)"
    if due and case.get("due_date_sample"):
        due += "(办理时限为示例配置,以民政部门公布为准)"
    return due
