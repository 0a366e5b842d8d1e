"""What the project's tracker store publishes to the event broker (rasa_addons.masking
``broker_event``): no user or bot text, personal slot values masked, ID numbers never raw; the
event kinds, intents, form names and question names the funnel needs stay."""

from __future__ import annotations

import json

from rasa_addons.masking import broker_event

ID_NUMBER = "330183197803120116"


def test_user_and_bot_texts_never_reach_the_broker() -> None:
    user = broker_event(
        {
            "event": "user",
            "timestamp": 1.0,
            "text": f"我叫欧阳小红,身份证{ID_NUMBER}",
            "input_channel": "rest",
            "parse_data": {
                "text": f"我叫欧阳小红,身份证{ID_NUMBER}",
                "intent": {"name": "inform", "confidence": 0.9},
                "entities": [{"entity": "id_number", "value": ID_NUMBER, "start": 9, "end": 27}],
            },
        }
    )
    dumped = json.dumps(user, ensure_ascii=False)
    assert "欧阳小红" not in dumped
    assert ID_NUMBER not in dumped
    assert "0116" not in dumped  # not even the masked shape
    assert user["input_channel"] == "rest"
    assert user["parse_data"]["intent"]["name"] == "inform"
    assert user["parse_data"]["entities"] == [{"entity": "id_number", "start": 9, "end": 27}]
    bot = broker_event(
        {"event": "bot", "timestamp": 2.0, "text": "欧阳小红,您好", "data": {"custom": {"n": 1}}}
    )
    assert bot["text"] is None
    assert bot["data"] == {}


def test_personal_slot_values_are_masked_the_rest_stays() -> None:
    name = broker_event({"event": "slot", "name": "applicant_name", "value": "欧阳小红"})
    assert name["value"] == "欧***"
    number = broker_event({"event": "slot", "name": "id_number", "value": ID_NUMBER})
    assert number["value"] == "330183********0116"
    asked = broker_event({"event": "slot", "name": "requested_slot", "value": "applicant_name"})
    assert asked["value"] == "applicant_name"
    submitted = broker_event(
        {"event": "slot", "name": "last_application_number", "value": "FY20261130000001"}
    )
    assert submitted["value"] == "FY20261130000001"
    loop = broker_event({"event": "active_loop", "name": "application_form"})
    assert loop == {"event": "active_loop", "name": "application_form"}


def test_the_one_time_code_is_masked_as_in_the_store() -> None:
    code = broker_event(
        {"event": "user", "text": "358201", "parse_data": {"text": "358201", "entities": []}},
        requested_slot="identity_code",
    )
    assert "358201" not in json.dumps(code)
