"""What Rasa may keep of a conversation: personal data masked before events are stored.

Pure standard library (imported by the Rasa server and by the project); the text rule is
``huimin.masking`` (standard library only, importable from .venv-rasa). Two passes:

- ``mask_new_event`` (every event, when it is first stored): ID-number-like strings and mobile
  numbers in user and bot texts, entities and any other event field; the user's text while the
  form asks for a one-time SMS code (``requested_slot == "identity_code"``) and any
  ``identity_code`` slot value other than the dialogue's states (sent/verified/skipped) become
  ``******``. Slot values are otherwise stored as they are:
  Rasa rebuilds the tracker from the stored events on every message, so a form needs the value it
  collected on an earlier turn.
- ``mask_superseded_slot`` (the second pass): once a later event sets the same slot again (the
  privacy reset after submit/cancel sets every personal slot to ``None``), the earlier value is no
  longer needed by anything and its stored row is masked (``mask_value``); the row's metadata
  carries ``MASKED_MARK`` so it is masked once.
"""

from __future__ import annotations

from typing import Any

# Re-exported for the tracker store, the retention job and their tests.
from huimin.masking import mask_id_number as mask_id_number
from huimin.masking import mask_text as mask_text

OTP_SLOT = "identity_code"
OTP_MASK = "******"
# The values the dialogue itself keeps in the one-time-code slot (actions/identity_check.py):
# states, not codes; they must survive the reload of the tracker on the next message.
OTP_SLOT_STATES = frozenset({"sent", "verified", "skipped"})
MASKED_MARK = "huimin_masked"

# Slots holding personal data (actions/common.py SENSITIVE_SLOTS and the identity slots); any
# slot whose name contains "id_number" counts too.
SENSITIVE_SLOTS = frozenset(
    {
        "id_number",
        "applicant_name",
        "phone",
        "members",
        "member_entry",
        "registry_household",
        "income_text",
        "property_text",
        "expenses_text",
        "illness_text",
        "disability_text",
        "identity_code",
        "lookup_id_number",
        "lead_address",
        "lead_contact",
        "lead_description",
        "policy_question",
    }
)


def is_sensitive_slot(name: str) -> bool:
    return name in SENSITIVE_SLOTS or "id_number" in name


def mask_strings(value: Any) -> Any:
    """``mask_text`` applied to every string inside a JSON-like value (keys stay)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [mask_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: mask_strings(item) for key, item in value.items()}
    return value


def mask_value(value: Any) -> Any:
    """A personal slot value with nothing personal left; same JSON type, so a filled slot stays
    filled (policies featurize text and list slots as set or not set).

    Strings: ID and mobile numbers keep their masked shape; any other text keeps its first
    character (``张*``). Numbers and booleans stay (household sizes, yes/no answers).
    """
    if isinstance(value, str):
        masked = mask_text(value)
        if masked != value:
            return masked
        return value[:1] + "*" * min(max(len(value) - 1, 1), 8) if value else value
    if isinstance(value, list):
        return [mask_value(item) for item in value]
    if isinstance(value, dict):
        return {key: mask_value(item) for key, item in value.items()}
    return value


def _otp_user_event(event: dict[str, Any]) -> dict[str, Any]:
    masked = dict(event)
    masked["text"] = OTP_MASK
    parse_data = dict(masked.get("parse_data") or {})
    if parse_data:
        parse_data["text"] = OTP_MASK
        parse_data["entities"] = [
            {**entity, "value": OTP_MASK, "text": OTP_MASK} if isinstance(entity, dict) else entity
            for entity in parse_data.get("entities") or []
        ]
        masked["parse_data"] = parse_data
    return mask_strings(masked)


def mask_new_event(event: dict[str, Any], *, requested_slot: Any = None) -> dict[str, Any]:
    """The form of one serialised Rasa event that may be stored (see the module docstring).

    ``requested_slot`` is the value of that slot just before the event.
    """
    kind = event.get("event")
    if kind == "slot":
        value = event.get("value")
        if event.get("name") == OTP_SLOT and value is not None and value not in OTP_SLOT_STATES:
            return {**event, "value": OTP_MASK}
        return event
    if kind == "user" and requested_slot == OTP_SLOT:
        return _otp_user_event(event)
    return mask_strings(event)


def is_masked(event: dict[str, Any]) -> bool:
    metadata = event.get("metadata")
    return isinstance(metadata, dict) and bool(metadata.get(MASKED_MARK))


def mask_superseded_slot(event: dict[str, Any]) -> dict[str, Any]:
    """The second pass for a slot event a later event of the same slot overrides."""
    name = str(event.get("name") or "")
    value = event.get("value")
    masked_value = mask_value(value) if is_sensitive_slot(name) else mask_strings(value)
    metadata = dict(event.get("metadata") or {})
    metadata[MASKED_MARK] = True
    return {**event, "value": masked_value, "metadata": metadata}


def superseded_positions(slot_events: list[dict[str, Any]]) -> list[int]:
    """Positions (in the given chronological list of slot events) whose value a later event of
    the same slot replaces and that are not masked yet. ``None`` values need no masking."""
    seen_later: set[str] = set()
    positions = []
    for position in range(len(slot_events) - 1, -1, -1):
        event = slot_events[position]
        name = str(event.get("name") or "")
        if name in seen_later and event.get("value") is not None and not is_masked(event):
            positions.append(position)
        seen_later.add(name)
    positions.reverse()
    return positions


def _without_free_text(event: dict[str, Any]) -> dict[str, Any]:
    """A user or bot event with no text the resident typed or was shown: the intent and the
    entity names stay, their values and every text go."""
    out = {**event, "text": None}
    if event.get("event") == "bot":
        out["data"] = {}
        return out
    parse_data = event.get("parse_data")
    if isinstance(parse_data, dict):
        out["parse_data"] = {
            **{k: v for k, v in parse_data.items() if k not in ("text", "entities")},
            "text": None,
            "entities": [
                {k: v for k, v in entity.items() if k not in ("value", "text")}
                for entity in parse_data.get("entities") or []
                if isinstance(entity, dict)
            ],
        }
    return out


def broker_event(event: dict[str, Any], *, requested_slot: Any = None) -> dict[str, Any]:
    """The form of one serialised Rasa event that is published to the event broker (RabbitMQ
    keeps it, on disk, until a consumer takes it): what ``mask_new_event`` stores, without the
    user's and the bot's texts and with personal slot values masked (``mask_value``). Nothing
    reloads a conversation from the broker, so nothing there needs the raw values."""
    masked = mask_new_event(event, requested_slot=requested_slot)
    kind = masked.get("event")
    if kind in ("user", "bot"):
        return _without_free_text(masked)
    if kind == "slot" and is_sensitive_slot(str(masked.get("name") or "")):
        return {**masked, "value": mask_value(masked.get("value"))}
    return masked
