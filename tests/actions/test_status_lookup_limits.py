"""The status lookup names its conversation to the API and relays the API's 429 in Chinese."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.status import ActionStatusLookup
from huimin.settings import CONVERSATION_HEADER

SLOTS = {"lookup_number": "FY-20261102-0001", "lookup_id_number": "330183195503120211"}


async def test_lookup_sends_the_conversation_id(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on("POST", "/api/status-lookup", body={"number": "FY-20261102-0001", "cases": []})
    tracker = kit.tracker("330183195503120211", "inform", slots=SLOTS, sender_id="web:abc")
    await ActionStatusLookup().run(dispatcher, tracker, kit.domain)
    [request] = fake_api.calls("POST", "/api/status-lookup")
    assert request.headers[CONVERSATION_HEADER] == "web:abc"
    assert request.headers["X-Internal-Token"]


async def test_too_many_lookups_tell_the_resident_and_clear_the_form(
    kit: Any, dispatcher: CollectingDispatcher, fake_api: Any
) -> None:
    fake_api.on(
        "POST", "/api/status-lookup", status=429, body={"detail": "查询过于频繁,请 42 秒后再试"}
    )
    tracker = kit.tracker("330183195503120211", "inform", slots=SLOTS)
    events = await ActionStatusLookup().run(dispatcher, tracker, kit.domain)
    assert kit.responses(dispatcher) == ["utter_status_lookup_too_many"]
    [message] = dispatcher.messages
    assert message["detail"] == "查询过于频繁,请 42 秒后再试"
    assert kit.slots(events)["lookup_number"] is None
    assert kit.slots(events)["lookup_id_number"] is None
    text = kit.domain["responses"]["utter_status_lookup_too_many"][0]["text"]
    assert text.format(detail=message["detail"]).startswith("查询过于频繁,请 42 秒后再试。")
