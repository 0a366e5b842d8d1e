"""The walking system: real Rasa, real action server, real API, over real HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def _response_texts(name: str) -> set[str]:
    texts: set[str] = set()
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for variant in (domain.get("responses") or {}).get(name, []):
            texts.add(variant["text"].strip())
    return texts


def test_api_reports_database_and_knowledge_index(running_system: Any) -> None:
    health = httpx.get(f"{running_system.api_url}/api/health", timeout=10).json()
    assert health["database"]["ok"] is True
    assert health["knowledge"]["chunks"] > 0
    openapi = httpx.get(f"{running_system.api_url}/openapi.json", timeout=10).json()
    assert "/api/health" in openapi["paths"]


def test_greeting_gets_the_assistants_greeting(running_system: Any) -> None:
    replies = running_system.say("web:e2e-greet", "你好")
    greetings = _response_texts("utter_greet")
    assert greetings, "the domain must define utter_greet"
    assert any(reply.get("text", "").strip() in greetings for reply in replies), replies


def test_policy_question_is_answered_from_the_knowledge_base_with_citations(
    running_system: Any,
) -> None:
    replies = running_system.say("web:e2e-policy", "低保怎么申请?")
    text = "\n".join(reply.get("text", "") for reply in replies)
    assert "[1]" in text, replies
    direct = httpx.post(
        f"{running_system.api_url}/api/knowledge/ask",
        json={"question": "低保怎么申请?", "audience": "resident"},
        timeout=60,
    ).json()
    assert direct["citations"], direct
    assert direct["citations"][0]["title"] in text


def test_joint_application_over_rest_lands_in_the_api(running_system: Any) -> None:
    """A three-person registry household applies for 低保 and 医疗救助 in at most 15 turns
    (14 with the spending question and the proposal of 医疗救助 since issue #12; 12 before)."""
    sender_user = "e2e-apply-1"
    sender = f"telegram:{sender_user}"
    replies: list[dict] = []
    turns = 0

    def say(text: str) -> str:
        nonlocal replies, turns
        turns += 1
        replies = running_system.say(sender, text)
        return "\n".join(reply.get("text", "") for reply in replies)

    say("我要申请低保和医疗救助")
    say("同意")
    # 王某甲 in the fictitious local registry (富春街道, 3 people): nothing of the household is
    # shown before this chat proves it is him, by a code sent to the registry's mobile
    asked = say("330183197803120116")
    assert "王某" not in asked, asked
    assert "核验" in asked, asked
    assert "验证码已发送" in say("发送验证码")
    assert "核验成功" in say(running_system.latest_sms_code())
    for text in (
        "13805711234",
        "一样的",
        "对的",
        "老公打工,一个月两千五",
        "没有存款,也没车",
    ):
        say(text)
    # 医疗救助 asks for the spending (and who is ill, here in the same answer); then the other
    # programs the household may qualify for are proposed ("一件事"), if any
    if "一起申请" in say("老公住院,看病一年自付两万"):
        say("不用了")
    for text in ("以后再交", "对,没错"):
        say(text)
    assert turns <= 15
    final = "\n".join(reply.get("text", "") for reply in replies)
    assert "申请编号" in final, final

    listed = httpx.get(
        f"{running_system.api_url}/api/residents/applications",
        params={"channel": "telegram", "channel_user_id": sender_user},
        headers={"X-Internal-Token": running_system.internal_token},
        timeout=30,
    )
    listed.raise_for_status()
    applications = listed.json()
    assert len(applications) == 1
    application = applications[0]
    assert application["number"] in final
    cases = application["cases"]
    assert {case["program"] for case in cases} == {"dibao", "medical"}
    assert {case["handling_township_code"] for case in cases} == {"330111001000"}
    assert all(case["due_date"] for case in cases)
    # "老公打工,一个月两千五": the wage is the spouse's (seed-demo's 富春街道 reviewer reads it)
    login = httpx.post(
        f"{running_system.api_url}/api/auth/token",
        data={"username": "reviewer-001", "password": "demo-pass-2026"},
        timeout=30,
    )
    login.raise_for_status()
    case = httpx.get(
        f"{running_system.api_url}/api/cases/{cases[0]['id']}",
        headers={"Authorization": f"Bearer {login.json()['access_token']}"},
        timeout=30,
    ).json()
    incomes = {member["relation"]: member["incomes"] for member in case["members"]}
    assert [(i["kind"], float(i["monthly_amount"])) for i in incomes["配偶"]] == [("wage", 2500.0)]
    assert incomes["本人"] == []

    # The conversation no longer holds the ID number once the application is submitted.
    tracker = httpx.get(
        f"{running_system.rasa_url}/conversations/{sender}/tracker",
        params={"token": running_system.rasa_token},
        timeout=30,
    ).json()
    assert "330183197803120116" not in str(tracker["slots"])


def test_a_strangers_id_number_in_the_web_chat_reveals_nothing(running_system: Any) -> None:
    """Typing someone else's ID number shows none of their household and fills nothing."""
    sender = "web:e2e-stranger"
    texts = []
    for text in ("我要申请低保", "同意", "330183197803120116"):
        texts.append("\n".join(r.get("text", "") for r in running_system.say(sender, text)))
    assert "核验" in texts[-1]
    skipped = "\n".join(r.get("text", "") for r in running_system.say(sender, "不核验"))
    shown = "\n".join([*texts, skipped])
    for name in ("王某甲", "林某乙", "王某丙"):
        assert name not in shown, shown
    tracker = httpx.get(
        f"{running_system.rasa_url}/conversations/{sender}/tracker",
        params={"token": running_system.rasa_token},
        timeout=30,
    ).json()
    slots = tracker["slots"]
    assert slots["registry_household"] is None
    assert slots["applicant_name"] is None
    assert slots["identity_code"] == "skipped"
    assert [m["relation"] for m in slots["members"]] == ["本人"]
