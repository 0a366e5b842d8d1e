"""Identity verification in the application form, against a fake API with the contract's shapes.

Until the conversation is verified for the ID number typed, no registry route is called and
nothing from the registry (names, members, township) reaches a slot or a message.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.application_form import ValidateApplicationForm, slots_to_reset
from actions.common import privacy_reset
from actions.identity_check import ActionAskIdentityCode

APPLICANT_ID = "330183195503120211"
SPOUSE_ID = "330183195807020420"
REGISTRY_PATH = f"/api/registry/households/{APPLICANT_ID}"
REGISTRY = {
    "found": True,
    "household": {
        "hukou_township_code": "330111001000",
        "address": "富春街道某路1号",
        "members": [
            {"relation": "户主", "name": "张建国", "id_number": APPLICANT_ID},
            {"relation": "配偶", "name": "李秀英", "id_number": SPOUSE_ID},
        ],
    },
}
REGISTRY_WORDS = ("张建国", "李秀英", "富春街道")
WEB = "web:7b1e0c"
TELEGRAM = "telegram:12345"
COUNTER = "counter:wangli:5d2e"
OIDC_URL = "/identity/oidc/start?ticket=abc.def"
FORM = "application_form"
CODE = "482916"


def status_body(verified: bool = False, *, phone: str | None = "138****5678",
                oidc_url: str | None = OIDC_URL, counter: bool = False) -> dict[str, Any]:
    return {
        "verified": verified,
        "method": "sms" if verified else None,
        "verified_at": "2026-11-28T20:00:00+08:00" if verified else None,
        "methods": {
            "sms": {"available": phone is not None, "phone_masked": phone},
            "counter": {"available": counter},
            "oidc": {"available": oidc_url is not None, "url": oidc_url},
        },
    }


async def validate(kit: Any, dispatcher: CollectingDispatcher, text: str, intent: str,
                   slot: str, *, sender: str = WEB, slots: dict[str, Any] | None = None,
                   history: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """One resident turn: ``text`` was extracted into ``slot`` (from_text), then validated."""
    tracker = kit.tracker(text, intent, slots={"consent": True, "requested_slot": slot,
                                               **(slots or {})},
                          extracted={slot: text}, active_loop=FORM, sender_id=sender,
                          history=history)
    events = await ValidateApplicationForm().run(dispatcher, tracker, kit.domain)
    return dict(kit.slots(events))


def sent_history() -> list[dict[str, Any]]:
    """The earlier turn in which a code was sent (the slot holds "sent")."""
    return [{"event": "slot", "name": "identity_code", "value": "sent"},
            {"event": "slot", "name": "requested_slot", "value": "identity_code"}]


def shown(dispatcher: CollectingDispatcher) -> str:
    return json.dumps(dispatcher.messages, ensure_ascii=False)


def no_registry_data(slots: dict[str, Any], dispatcher: CollectingDispatcher) -> None:
    text = shown(dispatcher) + json.dumps(slots, ensure_ascii=False)
    for word in REGISTRY_WORDS:
        assert word not in text


async def ask(kit: Any, sender: str, **slots: Any) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    tracker = kit.tracker("x", "inform", sender_id=sender, active_loop=FORM,
                          slots={"id_number": APPLICANT_ID, "requested_slot": "identity_code",
                                 **slots})
    assert await ActionAskIdentityCode().run(dispatcher, tracker, kit.domain) == []
    return dispatcher


async def test_a_stranger_typing_an_id_number_sees_nothing_from_the_registry(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/identity/status", body=status_body())
    fake_api.on("GET", REGISTRY_PATH, body=REGISTRY)

    slots = await validate(kit, dispatcher, APPLICANT_ID, "inform", "id_number")

    assert slots["id_number"] == APPLICANT_ID
    assert slots["identity_code"] is None
    assert slots["members"] is None
    assert slots["registry_household"] is None
    assert "applicant_name" not in slots
    assert "hukou_township" not in slots
    assert slots["requested_slot"] == "identity_code"
    assert fake_api.calls("GET", REGISTRY_PATH) == []
    assert fake_api.json_of("POST", "/api/identity/status") == {
        "subject": WEB, "id_number": APPLICANT_ID}
    no_registry_data(slots, dispatcher)

    question = await ask(kit, WEB)
    assert kit.responses(question) == ["utter_ask_identity_code_sms", "utter_identity_oidc_link"]
    assert question.messages[0]["phone_masked"] == "138****5678"
    assert question.messages[1]["oidc_url"] == OIDC_URL
    no_registry_data({}, question)
    assert fake_api.calls("GET", REGISTRY_PATH) == []


async def test_sms_code_then_the_registry_household_is_proposed(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/identity/status", body=status_body())
    fake_api.on("POST", "/api/identity/sms/send",
                body={"sent": True, "phone_masked": "138****5678", "expires_in_seconds": 300})
    fake_api.on("POST", "/api/identity/sms/verify", body={"verified": True, "method": "sms"})
    fake_api.on("GET", REGISTRY_PATH, body=REGISTRY)
    unverified = {"id_number": APPLICANT_ID}

    slots = await validate(kit, dispatcher, "/affirm", "affirm", "identity_code",
                           slots=unverified)
    assert slots["identity_code"] == "sent"
    assert slots["requested_slot"] == "identity_code"  # asked again: now for the code
    assert kit.responses(dispatcher) == ["utter_identity_code_sent"]
    assert (dispatcher.messages[0]["phone_masked"], dispatcher.messages[0]["minutes"]) == (
        "138****5678", 5)
    assert fake_api.json_of("POST", "/api/identity/sms/send") == {
        "subject": WEB, "id_number": APPLICANT_ID}
    assert fake_api.calls("GET", REGISTRY_PATH) == []
    assert kit.responses(await ask(kit, WEB, identity_code="sent")) == [
        "utter_ask_identity_code_sent"]

    typed = CollectingDispatcher()
    slots = await validate(kit, typed, f"验证码是{CODE}", "inform", "identity_code",
                           slots=unverified, history=sent_history())
    assert fake_api.json_of("POST", "/api/identity/sms/verify") == {
        "subject": WEB, "id_number": APPLICANT_ID, "code": CODE}
    assert slots["identity_code"] == "verified"
    assert slots["applicant_name"] == "张建国"
    assert slots["hukou_township"] == "富春街道"
    assert [m["relation"] for m in slots["members"]] == ["本人", "配偶"]
    assert slots["household_confirmed"] is None
    assert slots["requested_slot"] == "phone"
    assert kit.responses(typed) == ["utter_identity_verified"]
    lookup = fake_api.calls("GET", REGISTRY_PATH)[0]
    assert dict(lookup.url.params) == {"subject": WEB, "purpose": "application"}
    assert CODE not in shown(typed)  # the code is not repeated back ...
    assert CODE not in json.dumps(slots)  # ... nor kept in a slot


async def test_a_wrong_code_gives_the_apis_message_and_asks_again(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/identity/sms/verify", status=400,
                body={"detail": "验证码不正确,还可以再试 2 次", "attempts_left": 2})
    fake_api.on("GET", REGISTRY_PATH, body=REGISTRY)

    slots = await validate(kit, dispatcher, "111111", "inform", "identity_code",
                           slots={"id_number": APPLICANT_ID}, history=sent_history())

    assert slots["identity_code"] == "sent"
    assert slots["requested_slot"] == "identity_code"
    assert kit.responses(dispatcher) == ["utter_identity_code_wrong"]
    assert dispatcher.messages[0]["detail"] == "验证码不正确,还可以再试 2 次"
    assert "111111" not in shown(dispatcher)
    assert fake_api.calls("GET", REGISTRY_PATH) == []
    no_registry_data(slots, dispatcher)


async def test_an_expired_code_offers_the_choices_again(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/identity/sms/verify", status=410,
                body={"detail": "验证码已失效,请重新获取"})
    fake_api.on("POST", "/api/identity/status", body=status_body())

    slots = await validate(kit, dispatcher, CODE, "inform", "identity_code",
                           slots={"id_number": APPLICANT_ID}, history=sent_history())

    assert slots["identity_code"] is None  # the question with resend and skip comes again
    assert slots["requested_slot"] == "identity_code"
    assert kit.responses(dispatcher) == ["utter_identity_code_expired"]
    assert dispatcher.messages[0]["detail"] == "验证码已失效,请重新获取"
    assert kit.responses(await ask(kit, WEB)) == [
        "utter_ask_identity_code_sms", "utter_identity_oidc_link"]


async def test_too_many_codes_gives_the_apis_message(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/identity/status", body=status_body())
    fake_api.routes[("POST", "/api/identity/sms/send")] = lambda request: httpx.Response(
        429, json={"detail": "验证码发送太频繁,请1小时后再试"}, headers={"Retry-After": "3600"})

    slots = await validate(kit, dispatcher, "重新发送验证码", "inform", "identity_code",
                           slots={"id_number": APPLICANT_ID}, history=sent_history())

    assert slots["identity_code"] == "sent"  # a code sent before may still be typed
    assert kit.responses(dispatcher) == ["utter_identity_sms_refused"]
    assert dispatcher.messages[0]["detail"] == "验证码发送太频繁,请1小时后再试"


async def test_skipping_verification_means_the_household_by_hand(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("GET", REGISTRY_PATH, body=REGISTRY)

    slots = await validate(kit, dispatcher, "/deny", "deny", "identity_code",
                           slots={"id_number": APPLICANT_ID})

    assert slots["identity_code"] == "skipped"
    assert slots["household_confirmed"] is False
    assert slots["registry_household"] is None
    assert slots["members"] == [{
        "relation": "本人", "name": None, "id_number": APPLICANT_ID,
        "disability_category": None, "disability_grade": None,
        "serious_illness": False, "in_school": False,
    }]
    assert "applicant_name" not in slots
    assert slots["requested_slot"] == "applicant_name"  # the name is asked, not looked up
    assert kit.responses(dispatcher) == ["utter_identity_skipped"]
    assert fake_api.calls("GET", REGISTRY_PATH) == []
    no_registry_data(slots, dispatcher)

    named = CollectingDispatcher()
    slots = await validate(kit, named, "我叫王德明", "inform", "applicant_name",
                           slots={"id_number": APPLICANT_ID, "identity_code": "skipped",
                                  "household_confirmed": False,
                                  "members": [{"relation": "本人", "id_number": APPLICANT_ID}]})
    assert slots["applicant_name"] == "王德明"
    assert slots["members"][0]["name"] == "王德明"
    assert slots["requested_slot"] == "phone"
    assert fake_api.requests == []


async def test_counter_staff_confirm_the_physical_id_card(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/identity/status",
                body=status_body(phone=None, oidc_url=None, counter=True))
    fake_api.on("POST", "/api/identity/counter", body={"verified": True, "method": "counter"})
    fake_api.on("GET", REGISTRY_PATH, body=REGISTRY)

    question = await ask(kit, COUNTER)
    assert kit.responses(question) == ["utter_ask_identity_code_counter"]
    assert question.messages[0]["id_masked"] == "330183********0211"

    slots = await validate(kit, dispatcher, "/affirm", "affirm", "identity_code",
                           sender=COUNTER, slots={"id_number": APPLICANT_ID})

    assert fake_api.json_of("POST", "/api/identity/counter") == {
        "subject": COUNTER, "id_number": APPLICANT_ID, "staff_username": "wangli"}
    assert fake_api.calls("POST", "/api/identity/sms/send") == []
    assert slots["identity_code"] == "verified"
    assert slots["applicant_name"] == "张建国"
    assert dict(fake_api.calls("GET", REGISTRY_PATH)[0].url.params)["subject"] == COUNTER


async def test_counter_refusal_is_explained_and_nothing_is_shown(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/identity/status", body=status_body(phone=None, oidc_url=None))
    fake_api.on("POST", "/api/identity/counter", status=403,
                body={"detail": "该工作人员无权核验身份"})
    fake_api.on("GET", REGISTRY_PATH, body=REGISTRY)

    slots = await validate(kit, dispatcher, "已核验原件", "inform", "identity_code",
                           sender=COUNTER, slots={"id_number": APPLICANT_ID})

    assert slots["identity_code"] is None
    assert kit.responses(dispatcher) == ["utter_identity_counter_refused"]
    assert dispatcher.messages[0]["detail"] == "该工作人员无权核验身份"
    assert fake_api.calls("GET", REGISTRY_PATH) == []


async def test_telegram_never_gets_the_browser_login_link(
    kit: Any, fake_api: Any
) -> None:
    # Even if the API offered a link, the Telegram conversation is not shown one.
    fake_api.on("POST", "/api/identity/status", body=status_body())
    question = await ask(kit, TELEGRAM)
    assert kit.responses(question) == ["utter_ask_identity_code_sms"]
    assert OIDC_URL not in shown(question)

    fake_api.on("POST", "/api/identity/status", body=status_body(phone=None))
    question = await ask(kit, TELEGRAM)
    assert kit.responses(question) == ["utter_ask_identity_code_no_sms"]
    assert OIDC_URL not in shown(question)


async def test_back_from_the_browser_login_the_status_is_checked_again(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/identity/status", body=status_body())
    fake_api.on("GET", REGISTRY_PATH, body=REGISTRY)
    slots = await validate(kit, dispatcher, "好了", "affirm", "identity_code",
                           slots={"id_number": APPLICANT_ID})
    assert slots["identity_code"] is None
    assert kit.responses(dispatcher) == ["utter_identity_not_yet"]
    assert fake_api.calls("POST", "/api/identity/sms/send") == []  # "好了" is not "send a code"
    assert fake_api.calls("GET", REGISTRY_PATH) == []

    fake_api.on("POST", "/api/identity/status", body=status_body(verified=True))
    done = CollectingDispatcher()
    slots = await validate(kit, done, "已核验", "inform", "identity_code",
                           slots={"id_number": APPLICANT_ID})
    assert slots["identity_code"] == "verified"
    assert slots["applicant_name"] == "张建国"
    assert kit.responses(done) == ["utter_identity_verified"]


async def test_typing_a_state_name_does_not_skip_verification(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/identity/status", body=status_body(oidc_url=None))
    fake_api.on("GET", REGISTRY_PATH, body=REGISTRY)
    slots = await validate(kit, dispatcher, "verified", "inform", "identity_code",
                           slots={"id_number": APPLICANT_ID})
    assert slots["identity_code"] is None
    assert slots["requested_slot"] == "identity_code"
    assert fake_api.calls("POST", "/api/identity/status")  # the answer was really checked
    assert fake_api.calls("GET", REGISTRY_PATH) == []


async def test_an_already_verified_conversation_goes_straight_to_the_registry(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/identity/status", body=status_body(verified=True))
    fake_api.on("GET", REGISTRY_PATH, body=REGISTRY)
    slots = await validate(kit, dispatcher, APPLICANT_ID, "inform", "id_number")
    assert slots["identity_code"] == "verified"
    assert slots["applicant_name"] == "张建国"
    assert slots["requested_slot"] == "phone"


async def test_a_lookup_refused_by_the_api_asks_for_verification_again(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/identity/status", body=status_body(verified=True))
    fake_api.on("GET", REGISTRY_PATH, status=403, body={"detail": "身份未核验,不能查询登记信息"})
    slots = await validate(kit, dispatcher, APPLICANT_ID, "inform", "id_number")
    assert slots["identity_code"] is None
    assert slots["members"] is None
    assert slots["requested_slot"] == "identity_code"
    assert kit.responses(dispatcher) == ["utter_identity_expired"]


async def test_verification_service_down_means_the_household_by_hand(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.down = True
    slots = await validate(kit, dispatcher, APPLICANT_ID, "inform", "id_number")
    assert slots["identity_code"] == "skipped"
    assert slots["household_confirmed"] is False
    assert slots["requested_slot"] == "applicant_name"
    assert kit.responses(dispatcher) == ["utter_identity_unavailable"]
    assert fake_api.calls("GET", REGISTRY_PATH) == []

    question = await ask(kit, WEB)
    assert kit.responses(question) == ["utter_ask_identity_code_unavailable"]


@pytest.mark.parametrize("state", ["verified", "skipped"])
async def test_a_corrected_id_number_needs_a_new_verification(kit: Any, state: str) -> None:
    tracker = kit.tracker("身份证号填错了", "inform", slots={
        "id_number": APPLICANT_ID, "identity_code": state, "applicant_name": "张建国",
        "registry_household": REGISTRY["household"] if state == "verified" else None})
    reset = slots_to_reset("id_number", tracker)
    assert reset["identity_code"] is None
    assert reset["id_number"] is None
    # A name from the previous ID's registry record goes too; one typed by the resident stays.
    assert ("applicant_name" in reset) == (state == "verified")


def test_the_verification_state_is_forgotten_with_the_application() -> None:
    assert "identity_code" in {event["name"] for event in privacy_reset()}


async def test_an_id_number_the_api_calls_malformed_is_asked_again(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/identity/status", status=422,
                body={"detail": "身份证号码校验位不正确"})
    slots = await validate(kit, dispatcher, APPLICANT_ID, "inform", "id_number")
    assert slots["id_number"] is None
    assert slots["requested_slot"] == "id_number"
    assert kit.responses(dispatcher) == ["utter_invalid_id_number"]
    assert dispatcher.messages[0]["reason"] == "身份证号码校验位不正确"


async def test_an_api_without_verification_never_opens_the_registry(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    # e.g. an API older than the identity endpoints: 404 for the status route.
    fake_api.on("GET", REGISTRY_PATH, body=REGISTRY)
    slots = await validate(kit, dispatcher, APPLICANT_ID, "inform", "id_number")
    assert slots["identity_code"] == "skipped"
    assert slots["household_confirmed"] is False
    assert fake_api.calls("GET", REGISTRY_PATH) == []
    no_registry_data(slots, dispatcher)
