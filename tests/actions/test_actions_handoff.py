"""The hand-off carries the township the resident named in the conversation (recorded trackers
against the fake API): where they live, else their hukou, else the latest township entity;
none named: null, the district queue."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff, handoff_township
from actions.policy import ActionAnswerPolicy

FUCHUN = "330111001000"  # 富春街道
XINDENG = "330111115000"  # 新登镇
YINHU = "330111006000"  # 银湖街道
NO_ANSWER = {"answer": "", "confident": False, "citations": []}


def _township(name: str) -> str:
    from huimin.townships import from_text

    found = from_text(name)
    assert found is not None
    return found.code


def test_codes_used_here_are_the_districts() -> None:
    assert _township("富春街道") == FUCHUN
    assert _township("新登镇") == XINDENG
    assert _township("银湖街道") == YINHU


async def _run_handoff(fake_api: Any, dispatcher: CollectingDispatcher, kit: Any, tracker: Any):
    fake_api.on("POST", "/api/handoffs", status=201, body={"id": 3, "status": "waiting"})
    events = await ActionHandoff().run(dispatcher, tracker, kit.domain)
    assert [e["event"] for e in events] == ["pause"]
    return fake_api.json_of("POST", "/api/handoffs")


async def test_residence_township_slot_wins(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    history = [kit.user("户口在新登镇", "inform", [{"entity": "township", "value": "新登镇"}])]
    tracker = kit.tracker(
        "转人工",
        "request_human",
        slots={"hukou_township": "新登镇", "residence_township": "富春街道"},
        history=history,
    )
    sent = await _run_handoff(fake_api, dispatcher, kit, tracker)
    assert sent["township_code"] == FUCHUN


async def test_hukou_township_when_the_residence_is_unknown_or_outside(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    tracker = kit.tracker(
        "转人工",
        "request_human",
        slots={"hukou_township": "新登镇", "residence_township": "安徽省歙县"},
    )
    sent = await _run_handoff(fake_api, dispatcher, kit, tracker)
    assert sent["township_code"] == XINDENG


async def test_latest_township_entity_of_the_conversation(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    # slots already reset (e.g. after a submitted application): the entities remain
    history = [
        kit.user("我住在新登", "inform", [{"entity": "township", "value": "新登"}]),
        {"event": "bot", "text": "好的"},
        kit.user("现在住银湖街道", "inform", [{"entity": "township", "value": "银湖街道"}]),
        kit.user("嗯", "affirm", [{"entity": "township", "value": "火星"}]),
        {"event": "bot", "text": "还有什么可以帮您?"},
    ]
    tracker = kit.tracker("转人工", "request_human", history=history)
    assert handoff_township(tracker) == YINHU
    sent = await _run_handoff(fake_api, dispatcher, kit, tracker)
    assert sent["township_code"] == YINHU


async def test_no_township_named_goes_to_the_district_queue(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    history = [kit.user("你好", "greet"), {"event": "bot", "text": "您好"}]
    tracker = kit.tracker("转人工", "request_human", history=history)
    sent = await _run_handoff(fake_api, dispatcher, kit, tracker)
    assert sent["township_code"] is None
    assert sent["conversation_id"] == "telegram:12345"


@pytest.mark.parametrize("slot", ["residence_township", "hukou_township"])
async def test_repeated_misunderstanding_hand_off_carries_the_township_too(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any, slot: str
) -> None:
    fake_api.on("POST", "/api/knowledge/ask", body=NO_ANSWER)
    fake_api.on("POST", "/api/handoffs", status=201, body={"id": 7, "status": "waiting"})
    history = [kit.user("啊啊啊", "nlu_fallback"), {"event": "bot", "text": "没听懂"}]
    tracker = kit.tracker(
        "呜呜呜",
        "nlu_fallback",
        slots={"misunderstood": 2, slot: "富春"},
        history=history,
    )
    await ActionAnswerPolicy().run(dispatcher, tracker, kit.domain)
    assert fake_api.json_of("POST", "/api/handoffs")["township_code"] == FUCHUN
