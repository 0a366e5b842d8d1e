"""Identity verification before anything from the household registry is used.

A conversation (the "subject": the Rasa sender id) must be verified for an ID number before the
registry is looked up (the identity-verification contract, ``POST /api/identity/...``): by a
code sent to the registered mobile (web, Telegram), by the government ID provider's login (web
only: a link), or by a counter staff member who checked the physical ID card (counter intake).

The application form's slot ``identity_code`` holds only "sent" | "verified" | "skipped" (or
nothing): a typed code goes to the API, is never kept in a slot and never repeated back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client
from actions.common import latest_intent, latest_text
from actions.identity import parse_sender
from huimin.idcard import mask

SLOT = "identity_code"
VERIFIED = "verified"
SKIPPED = "skipped"
SENT = "sent"
DONE = (VERIFIED, SKIPPED)

_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
_SKIP = re.compile(r"不核验|不验证|不用核验|跳过|自己填|手工|手动|不要验证码|不需要")
_SEND = re.compile(r"发送|发验证码|发个验证码|短信|重发|重新发|再发|获取|没收到|收不到")
_CARD_CHECKED = re.compile(r"已核验|核验过|核对过|核验了|核对了|看过|原件|一致")


@dataclass(frozen=True)
class Status:
    """``POST /api/identity/status`` as the dialogue needs it."""

    verified: bool
    sms_available: bool = False
    phone_masked: str | None = None
    oidc_url: str | None = None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def parse_status(body: Any) -> Status:
    data = _dict(body)
    methods = _dict(data.get("methods"))
    sms = _dict(methods.get("sms"))
    oidc = _dict(methods.get("oidc"))
    url = oidc.get("url") if oidc.get("available") else None
    return Status(
        verified=data.get("verified") is True,
        sms_available=bool(sms.get("available")) and bool(sms.get("phone_masked")),
        phone_masked=str(sms["phone_masked"]) if sms.get("phone_masked") else None,
        oidc_url=str(url) if url else None,
    )


async def status(subject: str, id_number: str) -> Status:
    """Whether ``subject`` is verified for ``id_number`` and which methods it may use.

    Raises ``api_client.ApiUnavailableError`` / ``ApiRejectedError`` (422: a malformed ID).
    """
    body = await api_client.get_client().identity_status(subject, id_number)
    return parse_status(body)


def previous_state(tracker: Tracker, slot: str = SLOT) -> str | None:
    """``slot`` (``identity_code``) as it was before the resident's latest message."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    for event in reversed(events[: max(last_user, 0)]):
        if event.get("event") == "slot" and event.get("name") == slot:
            value = event.get("value")
            return value if value in (SENT, *DONE) else None
    return None


def typed(tracker: Tracker) -> bool:
    """Whether ``identity_code`` holds what the resident just typed (not a state we set)."""
    value = tracker.get_slot(SLOT)
    return (
        tracker.get_slot("requested_slot") == SLOT
        and isinstance(value, str)
        and value.strip() == latest_text(tracker).strip()
    )


def settled(tracker: Tracker) -> bool:
    """Verified or skipped: the question is not asked (a typed "verified" does not count)."""
    return tracker.get_slot(SLOT) in DONE and not typed(tracker)


def _is_button(text: str) -> bool:
    """A button payload (``/affirm``): residents cannot type a leading "/" in the web chat."""
    return text.startswith("/")


async def answer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    text: str,
    *,
    id_number: str | None = None,
    slot: str = SLOT,
) -> str | None:
    """What the resident's answer to the verification question leads to.

    VERIFIED (the registry may now be used), SENT (a code is on its way: ask for it), SKIPPED
    (the household is entered by hand), or None (ask the question again). Other forms pass
    their own ID-number value and state slot (``actions/timebank.py``).
    """
    subject = tracker.sender_id
    if id_number is None:
        id_number = str(tracker.get_slot("id_number") or "")
    identity = parse_sender(subject)
    previous = previous_state(tracker, slot)
    previous = previous if previous == SENT else None
    intent = latest_intent(tracker)

    code = _CODE.search(text)
    if code and not identity.is_counter:
        return await _verify_code(dispatcher, subject, id_number, code.group(0), previous)
    if _SKIP.search(text) or (intent == "deny" and not _SEND.search(text)):
        return SKIPPED

    try:
        current = await status(subject, id_number)
    except api_client.ApiError:
        dispatcher.utter_message(response="utter_identity_unavailable_retry")
        return previous
    if current.verified:
        dispatcher.utter_message(response="utter_identity_verified")
        return VERIFIED

    if identity.is_counter:
        if intent == "affirm" or _CARD_CHECKED.search(text):
            return await _counter(dispatcher, subject, id_number, identity.staff_username or "")
        dispatcher.utter_message(response="utter_please_choose")
        return previous
    if _SEND.search(text) or (_is_button(text) and intent == "affirm"):
        if not current.sms_available:
            dispatcher.utter_message(response="utter_identity_no_sms")
            return None
        return await _send_code(dispatcher, subject, id_number, previous)
    if identity.channel == "web" and current.oidc_url:
        dispatcher.utter_message(response="utter_identity_not_yet")
    else:
        dispatcher.utter_message(response="utter_please_choose")
    return previous


async def _verify_code(
    dispatcher: CollectingDispatcher,
    subject: str,
    id_number: str,
    code: str,
    previous: str | None,
) -> str | None:
    try:
        await api_client.get_client().identity_sms_verify(subject, id_number, code)
    except api_client.ApiUnavailableError:
        dispatcher.utter_message(response="utter_identity_unavailable_retry")
        return previous
    except api_client.ApiRejectedError as error:
        if error.status_code == 400:
            dispatcher.utter_message(
                response="utter_identity_code_wrong", detail=error.message or "验证码不正确"
            )
            return SENT
        dispatcher.utter_message(
            response="utter_identity_code_expired", detail=error.message or "验证码已失效"
        )
        return None
    dispatcher.utter_message(response="utter_identity_verified")
    return VERIFIED


async def _send_code(
    dispatcher: CollectingDispatcher, subject: str, id_number: str, previous: str | None
) -> str | None:
    try:
        sent = await api_client.get_client().identity_sms_send(subject, id_number)
    except api_client.ApiUnavailableError:
        dispatcher.utter_message(response="utter_identity_unavailable_retry")
        return previous
    except api_client.ApiRejectedError as error:
        # 404: no mobile in the registry; 429: too many codes sent (the API says when to retry).
        dispatcher.utter_message(
            response="utter_identity_sms_refused", detail=error.message or "暂时不能发送验证码"
        )
        return previous
    seconds = int(sent.get("expires_in_seconds") or 300)
    dispatcher.utter_message(
        response="utter_identity_code_sent",
        phone_masked=str(sent.get("phone_masked") or ""),
        minutes=max(1, round(seconds / 60)),
    )
    return SENT


async def _counter(
    dispatcher: CollectingDispatcher, subject: str, id_number: str, staff_username: str
) -> str | None:
    try:
        await api_client.get_client().identity_counter(subject, id_number, staff_username)
    except api_client.ApiUnavailableError:
        dispatcher.utter_message(response="utter_identity_unavailable_retry")
        return None
    except api_client.ApiRejectedError as error:
        dispatcher.utter_message(
            response="utter_identity_counter_refused", detail=error.message or "无权核验"
        )
        return None
    dispatcher.utter_message(response="utter_identity_verified")
    return VERIFIED


class ActionAskIdentityCode(Action):
    """Asks how to verify, with the methods this channel and this person allow."""

    def name(self) -> str:
        return "action_ask_identity_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        identity = parse_sender(tracker.sender_id)
        id_number = str(tracker.get_slot("id_number") or "")
        if tracker.get_slot(SLOT) == SENT:
            dispatcher.utter_message(response="utter_ask_identity_code_sent")
            return []
        if identity.is_counter:
            dispatcher.utter_message(
                response="utter_ask_identity_code_counter", id_masked=mask(id_number)
            )
            return []
        try:
            current = await status(tracker.sender_id, id_number)
        except api_client.ApiError:
            dispatcher.utter_message(response="utter_ask_identity_code_unavailable")
            return []
        if current.sms_available:
            dispatcher.utter_message(
                response="utter_ask_identity_code_sms", phone_masked=current.phone_masked
            )
        else:
            dispatcher.utter_message(response="utter_ask_identity_code_no_sms")
        if identity.channel == "web" and current.oidc_url:
            dispatcher.utter_message(response="utter_identity_oidc_link", oidc_url=current.oidc_url)
        return []
