"""Policy answers, the knowledge-base fallback and handing over after repeated misses."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff
from actions.policy import ActionAnswerPolicy, format_citations

ANSWER = {
    "question": "低保标准是多少",
    "answer": "低保标准由市政府按年公布[1]。",
    "confident": True,
    "citations": [
        {
            "n": 1,
            "title": "最低生活保障审核确认办法",
            "source": "db.md",
            "section": "第十条",
            "issuer": "民政部",
            "effective_date": "2021-07-01",
            "text": "...",
            "score": 0.8,
        }
    ],
}
NO_ANSWER = {"question": "?", "answer": "", "confident": False, "citations": []}


async def test_answer_with_numbered_citations_then_offer(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on("POST", "/api/knowledge/ask", body=ANSWER)
    tracker = kit.tracker("低保标准是多少", "ask_policy")

    events = await ActionAnswerPolicy().run(dispatcher, tracker, kit.domain)

    assert kit.responses(dispatcher) == ["utter_policy_answer", "utter_offer_after_answer"]
    assert dispatcher.messages[0]["citations"].startswith("[1] 《最低生活保障审核确认办法》 第十条")
    assert kit.slots(events) == {"misunderstood": 0, "offer": "prescreen"}
    sent = fake_api.json_of("POST", "/api/knowledge/ask")
    assert sent == {"question": "低保标准是多少", "audience": "resident"}
    assert fake_api.requests[0].headers["X-Internal-Token"]
    # questions are limited per conversation: the API learns which one asks
    assert fake_api.requests[0].headers["X-Huimin-Conversation"] == tracker.sender_id


async def test_too_many_questions_says_so_and_does_not_hand_over(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on("POST", "/api/knowledge/ask", status=429, body={"detail": "提问过于频繁"})
    tracker = kit.tracker("低保标准是多少", "ask_policy")

    events = await ActionAnswerPolicy().run(dispatcher, tracker, kit.domain)

    assert kit.responses(dispatcher) == ["utter_too_many_questions"]
    assert events == []


async def test_answer_inside_a_form_makes_no_offer(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on("POST", "/api/knowledge/ask", body=ANSWER)
    tracker = kit.tracker("低保标准是多少", "ask_policy", active_loop="application_form")

    events = await ActionAnswerPolicy().run(dispatcher, tracker, kit.domain)

    assert kit.responses(dispatcher) == ["utter_policy_answer"]
    assert "offer" not in kit.slots(events)


async def test_api_down_is_a_plain_apology(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.down = True
    tracker = kit.tracker("低保标准是多少", "ask_policy", slots={"offer": "apply"})

    events = await ActionAnswerPolicy().run(dispatcher, tracker, kit.domain)

    assert kit.responses(dispatcher) == ["utter_api_unavailable"]
    assert events == []


async def test_long_input_is_truncated_before_asking(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on("POST", "/api/knowledge/ask", body=NO_ANSWER)
    tracker = kit.tracker("救" * 5000, "nlu_fallback")

    await ActionAnswerPolicy().run(dispatcher, tracker, kit.domain)

    assert len(fake_api.json_of("POST", "/api/knowledge/ask")["question"]) == 500
    assert kit.responses(dispatcher) == ["utter_did_not_understand"]


async def test_third_misunderstanding_in_a_row_hands_over(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on("POST", "/api/knowledge/ask", body=NO_ANSWER)
    fake_api.on("POST", "/api/handoffs", status=201, body={"id": 7, "status": "waiting"})
    history = [kit.user("啊啊啊", "nlu_fallback"), {"event": "bot", "text": "没听懂"}]
    tracker = kit.tracker("呜呜呜", "nlu_fallback", slots={"misunderstood": 2}, history=history)

    events = await ActionAnswerPolicy().run(dispatcher, tracker, kit.domain)

    assert kit.responses(dispatcher) == ["utter_handoff_opened"]
    assert {"event": "pause"} in [{"event": e["event"]} for e in events]
    body = fake_api.json_of("POST", "/api/handoffs")
    assert body["channel"] == "telegram"
    assert body["channel_user_id"] == "12345"
    assert body["reason"] == "repeated_misunderstanding"
    assert body["conversation_id"] == tracker.sender_id == "telegram:12345"
    assert body["transcript"][0] == {"role": "resident", "text": "啊啊啊"}


async def test_a_miss_after_an_understood_message_starts_counting_again(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on("POST", "/api/knowledge/ask", body=NO_ANSWER)
    history = [kit.user("你好", "greet")]
    tracker = kit.tracker("呜呜呜", "nlu_fallback", slots={"misunderstood": 2}, history=history)

    events = await ActionAnswerPolicy().run(dispatcher, tracker, kit.domain)

    assert kit.responses(dispatcher) == ["utter_did_not_understand"]
    assert kit.slots(events) == {"misunderstood": 1}


async def test_request_human_pauses_and_masks_id_numbers(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on("POST", "/api/handoffs", status=201, body={"id": 1, "status": "waiting"})
    history = [kit.user("330183195503120211", "inform")]
    tracker = kit.tracker("转人工", "request_human", history=history)

    events = await ActionHandoff().run(dispatcher, tracker, kit.domain)

    assert [e["event"] for e in events] == ["pause"]
    sent = fake_api.json_of("POST", "/api/handoffs")
    assert sent["conversation_id"] == tracker.sender_id
    assert (sent["channel"], sent["channel_user_id"]) == ("telegram", "12345")
    transcript = sent["transcript"]
    assert "330183195503120211" not in str(transcript)


async def test_handoff_failure_keeps_the_bot_running(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.down = True
    tracker = kit.tracker("转人工", "request_human")

    events = await ActionHandoff().run(dispatcher, tracker, kit.domain)

    assert events == []
    assert kit.responses(dispatcher) == ["utter_handoff_failed"]


def test_every_response_the_actions_use_is_in_the_domain(domain: dict[str, Any]) -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "actions"
    source = "\n".join(p.read_text() for p in root.glob("*.py"))
    used = set(re.findall(r'"(utter_[a-z_]+)"', source))
    assert used, "no responses found"
    assert used - set(domain["responses"]) == set()


def test_format_citations_numbers_every_source() -> None:
    text = format_citations([{"title": "A"}, {"title": "《B》", "section": "第2条"}])
    assert text.splitlines() == ["[1] 《A》", "[2] 《B》 第2条"]


def test_format_citations_shows_the_document_number_and_labelled_date() -> None:
    text = format_citations(
        [
            {
                "title": "最低生活保障审核确认办法",
                "issuer": "民政部",
                "doc_number": "民发〔2021〕57号",
                "dated": "2021-07-01起施行",
            },
            {"title": "规划", "doc_number": "（本库资料未载明文号）", "dated": "整理 2026-11-01"},
        ]
    )
    assert text.splitlines() == [
        "[1] 《最低生活保障审核确认办法》(民政部，民发〔2021〕57号，2021-07-01起施行)",
        "[2] 《规划》(整理 2026-11-01)",
    ]


async def test_the_ask_policy_button_asks_what_to_ask(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    tracker = kit.tracker("/ask_policy", "ask_policy")
    events = await ActionAnswerPolicy().run(dispatcher, tracker, kit.domain)
    assert events == []
    assert kit.responses(dispatcher) == ["utter_ask_policy_prompt"]
    assert fake_api.requests == []


SUGGESTED = {
    **NO_ANSWER,
    "answer": "抱歉，我没能确定您问的是哪一条规定",
    "suggestions": [
        {
            "passage": "1b2c-0001",
            "label": "第十九条 公示7天",
            "title": "审核确认办法",
            "section": "x",
        },
        {"passage": "1b2c-0002", "label": "受理", "title": "审核确认办法", "section": "y"},
        {"passage": "bad id!", "label": "坏的", "title": "?", "section": "z"},
    ],
}


async def test_an_uncertain_answer_offers_the_closest_passages_and_remembers_the_question(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on("POST", "/api/knowledge/ask", body=SUGGESTED)
    tracker = kit.tracker("名单要贴出来让大伙看几天", "ask_policy")

    events = await ActionAnswerPolicy().run(dispatcher, tracker, kit.domain)

    assert kit.responses(dispatcher) == ["utter_policy_suggestions"]
    buttons = dispatcher.messages[0]["buttons"]
    assert [b["title"] for b in buttons] == ["第十九条 公示7天", "受理", "都不是,转人工"]
    assert buttons[0]["payload"] == '/ask_policy{"policy_passage": "1b2c-0001"}'
    assert buttons[-1]["payload"] == "/request_human"
    assert kit.slots(events) == {"misunderstood": 0, "policy_question": "名单要贴出来让大伙看几天"}


async def test_a_picked_passage_answers_the_remembered_question(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on("POST", "/api/knowledge/ask", body=ANSWER)
    tracker = kit.tracker(
        '/ask_policy{"policy_passage": "1b2c-0001"}',
        "ask_policy",
        entities=[{"entity": "policy_passage", "value": "1b2c-0001"}],
        slots={"policy_question": "名单要贴出来让大伙看几天"},
    )

    await ActionAnswerPolicy().run(dispatcher, tracker, kit.domain)

    assert fake_api.json_of("POST", "/api/knowledge/ask") == {
        "question": "名单要贴出来让大伙看几天",
        "audience": "resident",
        "passage": "1b2c-0001",
    }
    assert kit.responses(dispatcher) == ["utter_policy_answer", "utter_offer_after_answer"]


async def test_a_passage_gone_since_asks_for_the_question_again(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on("POST", "/api/knowledge/ask", status=422, body={"detail": []})
    tracker = kit.tracker(
        '/ask_policy{"policy_passage": "gone-0001"}',
        "ask_policy",
        entities=[{"entity": "policy_passage", "value": "gone-0001"}],
        slots={"policy_question": "公示几天"},
    )

    events = await ActionAnswerPolicy().run(dispatcher, tracker, kit.domain)

    assert kit.responses(dispatcher) == ["utter_policy_passage_gone"]
    assert kit.slots(events) == {"policy_question": None}


async def test_the_remembered_question_has_no_id_or_mobile_number(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on("POST", "/api/knowledge/ask", body=SUGGESTED)
    tracker = kit.tracker("我身份证330183195503120211，电话13812345678，公示几天", "ask_policy")

    events = await ActionAnswerPolicy().run(dispatcher, tracker, kit.domain)

    remembered = kit.slots(events)["policy_question"]
    assert "330183195503120211" not in remembered
    assert "13812345678" not in remembered
    assert "公示几天" in remembered
