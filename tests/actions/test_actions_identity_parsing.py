"""Sender ids and the free-text readers the validators rely on."""

from __future__ import annotations

import pytest

from actions import parsing
from actions.identity import parse_sender
from huimin.names import person_name


@pytest.mark.parametrize(
    ("sender", "channel", "user", "staff"),
    [
        ("telegram:12345", "telegram", "12345", None),
        ("wechat:oHuimin_R-1", "wechat", "oHuimin_R-1", None),
        ("web:abc", "web", "abc", None),
        ("counter:wang.li:9f1c", "counter", "9f1c", "wang.li"),
        ("default", "web", "default", None),
        ("", "web", "anonymous", None),
        ("fax:1", "web", "fax:1", None),
    ],
)
def test_parse_sender(sender: str, channel: str, user: str, staff: str | None) -> None:
    identity = parse_sender(sender)
    assert (identity.channel, identity.channel_user_id, identity.staff_username) == (
        channel,
        user,
        staff,
    )
    assert identity.is_counter == (channel == "counter")


def test_numbers_in_either_script() -> None:
    assert parsing.numbers("工资2000，养老金八百块，存款1.5万") == [2000, 800, 15000]
    assert parsing.cn_to_number("三千五") == 3500
    assert parsing.household_size("三口人") == parsing.household_size("3口人") == 3
    assert parsing.household_size("就我一个人") == 1
    assert parsing.ages("我72岁，老伴七十") == [72, 70]


@pytest.mark.parametrize(
    ("text", "name"),
    [("我叫王德明", "王德明"), ("王有才", "王有才"), ("我姓刘，叫刘海", "刘海"),
     ("张三，肢体残疾二级", "张三"), ("😀", None)],
)
def test_person_name(text: str, name: str | None) -> None:
    assert person_name(text) == name


def test_the_action_server_registers_every_action() -> None:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    names = set(executor.actions)
    assert {
        "action_answer_policy", "action_handoff", "action_decline_offer",
        "validate_application_form", "action_ask_summary_confirmed",
        "action_ask_household_confirmed", "action_submit_application", "action_cancel_form",
        "validate_prescreen_form", "action_prescreen", "action_check_status",
        "validate_status_lookup_form", "action_status_lookup", "validate_hardship_form",
        "action_submit_lead",
    } <= names
