"""action_elder_service: asks where, searches near a place or a shared location, answers short
with phone numbers and the sample label; without a service kind it is a policy question."""

from __future__ import annotations

from typing import Any

import httpx
from rasa_sdk.executor import CollectingDispatcher

from actions.eldercare import ActionElderService, format_hits

HIT = {
    "id": 7,
    "name": "富春示例一社区老年食堂(示例)",
    "kind": "canteen",
    "services": ["meal"],
    "address": "示例路1号(虚构地址)",
    "lat": 29.85,
    "lon": 119.63,
    "walking_minutes": 6.4,
    "hours": "每日 11:00-12:30",
    "phone": "0571-00000007",
    "sample": True,
}
PLACE_UNKNOWN = {"detail": [{"loc": ["query", "place"], "msg": "没有找到", "type": "value_error"}]}
NEARBY = "/api/eldercare/services/nearby"


def params_of(fake_api: Any, index: int = -1) -> dict[str, str]:
    return dict(fake_api.calls("GET", NEARBY)[index].url.params)


async def test_asks_where_then_answers_for_the_township(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on("GET", NEARBY, status=422, body=PLACE_UNKNOWN)
    first = kit.tracker("附近有老年食堂吗", "ask_elder_service")
    events = await ActionElderService().run(dispatcher, first, kit.domain)
    assert kit.responses(dispatcher) == ["utter_elder_service_ask_where"]
    assert dispatcher.messages[0]["service_label"] == "助餐服务"
    assert kit.slots(events) == {"elder_service": "service:meal", "elder_place_needed": True}
    assert params_of(fake_api)["service"] == "meal"

    fake_api.on("GET", NEARBY, body=[HIT])
    second = kit.tracker(
        "我在富春街道",
        "inform",
        entities=[{"entity": "township", "value": "富春街道"}],
        slots={"elder_service": "service:meal", "elder_place_needed": True},
    )
    answer = CollectingDispatcher()
    events = await ActionElderService().run(answer, second, kit.domain)
    assert kit.responses(answer) == ["utter_elder_service_results"]
    assert "电话 0571-00000007" in answer.messages[0]["places"]
    assert "示例数据(虚构)" in answer.messages[0]["sample_note"]
    assert kit.slots(events) == {"elder_service": None, "elder_place_needed": False}
    assert params_of(fake_api) == {"limit": "3", "service": "meal", "place": "我在富春街道"}


async def test_unknown_place_while_waiting_asks_again(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on("GET", NEARBY, status=422, body=PLACE_UNKNOWN)
    tracker = kit.tracker(
        "火星村", "inform", slots={"elder_service": "kind:care_home", "elder_place_needed": True}
    )
    events = await ActionElderService().run(dispatcher, tracker, kit.domain)
    assert kit.responses(dispatcher) == ["utter_elder_service_place_unknown"]
    assert kit.slots(events)["elder_service"] == "kind:care_home"
    assert params_of(fake_api)["kind"] == "care_home"


async def test_shared_location_uses_coordinates(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on("GET", NEARBY, body=[HIT, {**HIT, "id": 8, "name": "另一食堂(示例)"}])
    tracker = kit.tracker(
        '/share_location{"latitude": 29.85, "longitude": 119.63}',
        "share_location",
        entities=[
            {"entity": "latitude", "value": 29.85},
            {"entity": "longitude", "value": 119.63},
        ],
        slots={"elder_service": "service:meal", "elder_place_needed": True},
    )
    await ActionElderService().run(dispatcher, tracker, kit.domain)
    assert kit.responses(dispatcher) == ["utter_elder_service_results"]
    assert params_of(fake_api) == {"limit": "3", "service": "meal", "lat": "29.85", "lon": "119.63"}
    assert dispatcher.messages[0]["places"].count("\n") == 1  # two places, one line each


async def test_nothing_within_the_circle_shows_the_nearest_farther_away(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        far = request.url.params.get("minutes") == "60"
        return httpx.Response(200, json=[{**HIT, "walking_minutes": 31.2}] if far else [])

    fake_api.routes[("GET", NEARBY)] = answer
    tracker = kit.tracker("新登镇附近的助浴点在哪", "ask_elder_service")
    await ActionElderService().run(dispatcher, tracker, kit.domain)
    assert kit.responses(dispatcher) == ["utter_elder_service_far"]
    assert "步行约31分钟" in dispatcher.messages[0]["places"]


async def test_how_questions_go_to_the_knowledge_base(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on(
        "POST",
        "/api/knowledge/ask",
        body={"question": "", "answer": "", "confident": False, "citations": []},
    )
    tracker = kit.tracker("养老院一个月多少钱", "ask_elder_service")
    await ActionElderService().run(dispatcher, tracker, kit.domain)
    assert kit.responses(dispatcher) == ["utter_policy_no_answer"]
    assert fake_api.calls("GET", NEARBY) == []


async def test_api_down_is_said(fake_api: Any, dispatcher: CollectingDispatcher, kit: Any) -> None:
    fake_api.down = True
    tracker = kit.tracker("附近有老年食堂吗", "ask_elder_service")
    assert await ActionElderService().run(dispatcher, tracker, kit.domain) == []
    assert kit.responses(dispatcher) == ["utter_api_unavailable"]


def test_lines_are_short_and_carry_the_phone() -> None:
    text = format_hits([HIT] * 5)
    assert text.splitlines() == [
        f"{n}. 富春示例一社区老年食堂(示例):步行约6分钟,每日 11:00-12:30,电话 0571-00000007"
        for n in (1, 2, 3)
    ]
