"""The reply lists the sources once: the API's own "来源：" tail is not repeated."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.policy import ActionAnswerPolicy, answer_body

CITED = {
    "question": "低保怎么申请",
    "answer": "申请低保以家庭为单位。[1]\n来源：[1]《最低生活保障审核确认办法》第四条",
    "confident": True,
    "citations": [
        {
            "n": 1,
            "title": "最低生活保障审核确认办法",
            "source": "db.md",
            "section": "第四条",
            "issuer": "民政部",
            "effective_date": "2021-07-01",
            "text": "申请低保以家庭为单位。",
            "score": 3.2,
        }
    ],
}


def test_answer_body_drops_only_the_sources_tail() -> None:
    assert answer_body(CITED["answer"]) == "申请低保以家庭为单位。[1]"
    assert answer_body("没有来源的回答") == "没有来源的回答"


async def test_sources_are_listed_once(
    fake_api: Any, dispatcher: CollectingDispatcher, kit: Any
) -> None:
    fake_api.on("POST", "/api/knowledge/ask", body=CITED)
    tracker = kit.tracker("低保怎么申请", "ask_policy")

    await ActionAnswerPolicy().run(dispatcher, tracker, kit.domain)

    answer = dispatcher.messages[0]
    assert answer["response"] == "utter_policy_answer"
    assert "来源" not in answer["answer"]
    assert answer["citations"].startswith("[1] 《最低生活保障审核确认办法》 第四条")
