"""Issue #12 over the running system: facts in questions, and a 低保 + 医疗救助 application whose
spending, illness and per-member incomes land on the case."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e


def _text(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def test_a_question_with_facts_gets_a_verdict_and_the_next_step_in_one_reply(
    running_system: Any,
) -> None:
    replies = running_system.say("web:e2e-facts-82", "我爸今年82，高龄补贴能领吗")
    text = _text(replies)
    assert "没太听懂" not in text, text
    assert "82岁" in text, text
    assert "高龄津贴" in text, text
    assert "很可能符合" in text or "可能符合" in text, text
    buttons = [b["title"] for reply in replies for b in reply.get("buttons") or []]
    assert "现在申请" in buttons, replies


def test_living_alone_at_75_is_answered_not_misunderstood(running_system: Any) -> None:
    text = _text(running_system.say("web:e2e-facts-75", "我75岁，老伴走了一个人过，有什么补助？"))
    assert "没太听懂" not in text, text
    assert "独自生活" in text, text
    assert "符合" in text, text


def test_keyboard_noise_never_opens_a_hand_off(running_system: Any) -> None:
    sender = "web:e2e-noise"
    for noise in ("aaaaaaaa", "ａａａａａａ", "asdfasdf", "qwerqwer"):
        text = _text(running_system.say(sender, noise))
        assert "工作人员" not in text or "窗口" in text, text
    tracker = httpx.get(
        f"{running_system.rasa_url}/conversations/{sender}/tracker",
        params={"token": running_system.rasa_token},
        timeout=30,
    ).json()
    assert not tracker.get("paused"), "the conversation was handed off"
    handoffs = httpx.get(
        f"{running_system.api_url}/api/handoffs",
        headers={"X-Internal-Token": running_system.internal_token},
        timeout=30,
    )
    if handoffs.status_code == 200:
        assert all(h.get("conversation_id") != sender for h in handoffs.json())


def test_three_person_dibao_and_medical_application_with_costs_and_an_ill_spouse(
    running_system: Any,
) -> None:
    """Members one by one, costs and illness, in at most 15 resident turns; the case holds the
    per-member incomes, the spending and the ill spouse."""
    sender_user = "e2e-facts-apply"
    sender = f"telegram:{sender_user}"
    turns = 0
    replies: list[dict] = []

    def say(text: str) -> str:
        nonlocal turns, replies
        turns += 1
        replies = running_system.say(sender, text)
        return _text(replies)

    say("我要申请低保和医疗救助")
    say("同意")
    asked = say("王德明 330183198001200557")
    assert "核验" in asked, asked
    assert "手机" in say("不核验")  # the name came with the ID number: not asked again
    say("13958012345")
    assert "家人" in say("户口在富春街道，也住这里")  # the residence is not asked again
    assert "陈丽" in say("老婆 陈丽 330183197205060184")
    assert "王小丽" in say("女儿 王小丽 330111201602290263，在读书")
    say("没有了")
    say("我打零工每月800，老婆没收入")
    spending = say("只有一套自住房")
    assert "看病" in spending, spending
    after = say("老婆尿毒症，看病一年自付三万")
    if "一起申请" in after:  # the "一件事" proposal: other programs with a reason each
        buttons = [b["title"] for reply in replies for b in reply.get("buttons") or []]
        assert "不用了" in buttons, replies
        after = say("不用了")
    assert "材料" in after, after
    summary = say("以后再交")
    assert "医疗救助" in summary, summary
    final = say("对，没错")
    assert "申请编号" in final, final
    assert turns <= 15, turns

    listed = httpx.get(
        f"{running_system.api_url}/api/residents/applications",
        params={"channel": "telegram", "channel_user_id": sender_user},
        headers={"X-Internal-Token": running_system.internal_token},
        timeout=30,
    )
    listed.raise_for_status()
    (application,) = listed.json()
    cases = application["cases"]
    assert {case["program"] for case in cases} >= {"dibao", "medical"}
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
    members = {member["relation"]: member for member in case["members"]}
    assert set(members) == {"本人", "配偶", "子女"}
    assert members["本人"]["name"] == "王德明"
    assert [(i["kind"], float(i["monthly_amount"])) for i in members["本人"]["incomes"]] == [
        ("wage", 800.0)
    ]
    assert members["配偶"]["incomes"] == []
    assert members["配偶"]["serious_illness"] is True
    assert members["本人"]["serious_illness"] is False
    assert members["子女"]["in_school"] is True
    assert [(e["kind"], float(e["annual_amount"])) for e in case["expenditures"]] == [
        ("medical", 30000.0)
    ]
    assert [(p["kind"], float(p["value"]), p["only_home"]) for p in case["property"]] == [
        ("house", 0.0, True)  # the only self-occupied home, a fact, not a value
    ]


def test_an_uncertain_policy_question_offers_passages_and_a_pick_is_answered(
    running_system: Any,
) -> None:
    """Over the REST channel: no certain answer -> the closest rules as buttons (and a person);
    pressing one answers the same question from that rule, with its source."""
    sender = "web:e2e-suggest"
    replies = running_system.say(sender, "名单要贴出来让大伙看几天")
    buttons = [b for reply in replies for b in reply.get("buttons") or []]
    assert "是不是下面这些" in _text(replies), replies
    assert len(buttons) >= 2, replies
    assert buttons[-1]["payload"] == "/request_human"
    assert buttons[0]["payload"].startswith('/ask_policy{"policy_passage": ')
    answer = _text(running_system.say(sender, buttons[0]["payload"]))
    assert "依据" in answer, answer
    assert "[1]" in answer, answer
