"""Text, buttons, deep links and commands through python-telegram-bot's real update handling."""

from __future__ import annotations

import asyncio
import json

from channels.telegram.app import bridge_of
from huimin.townships import all_townships


async def test_text_goes_to_rasa_and_reply_comes_back(tg, backends, telegram) -> None:
    await tg.feed(tg.text("低保怎么申请"))

    assert backends.rasa_calls == [{"sender": tg.sender, "message": "低保怎么申请"}]
    assert telegram.sent() == [
        ("sendMessage", {"chat_id": tg.user_id, "text": "已收到:低保怎么申请"})
    ]


async def test_buttons_become_inline_keyboard_and_a_press_sends_the_payload(
    tg, backends, telegram
) -> None:
    long_payload = '/inform{"township":"富春街道","programs":["dibao","medical","housing"]}'
    assert len(long_payload.encode()) > 64
    backends.rasa_replies["你好"] = [
        {
            "text": "您想办理哪一项?",
            "buttons": [
                {"title": "申请救助", "payload": "/apply_assistance"},
                {"title": "富春街道", "payload": long_payload},
            ],
        }
    ]
    await tg.feed(tg.text("你好"))

    [(method, params)] = telegram.sent()
    assert method == "sendMessage"
    assert params["text"] == "您想办理哪一项?"
    keyboard = params["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in keyboard] == [["申请救助"], ["富春街道"]]
    short_data, long_data = keyboard[0][0]["callback_data"], keyboard[1][0]["callback_data"]
    assert short_data == "p:/apply_assistance"
    assert len(long_data.encode()) <= 64
    assert long_payload not in long_data

    # The resident presses the long-payload button: Rasa gets the full payload.
    telegram.calls.clear()
    await tg.feed(tg.callback(long_data, keyboard))
    assert backends.rasa_calls[-1] == {"sender": tg.sender, "message": long_payload}
    methods = [m for m, _ in telegram.sent()]
    assert methods == ["answerCallbackQuery", "editMessageReplyMarkup", "sendMessage"]
    answer = telegram.sent("answerCallbackQuery")[0][1]
    assert answer["text"] == "已选择:富春街道"
    assert telegram.texts() == [f"已收到:{long_payload}"]


async def test_expired_button_is_explained_not_forwarded(tg, backends, telegram) -> None:
    keyboard = [[{"text": "旧按钮", "callback_data": "k:deadbeefdeadbeef"}]]
    await tg.feed(tg.callback("k:deadbeefdeadbeef", keyboard))
    assert backends.rasa_calls == []
    assert telegram.texts() == ["这个按钮已过期,请重新发送您的问题。"]


async def test_image_and_custom_link_replies(tg, backends, telegram) -> None:
    backends.rasa_replies["地图"] = [
        {"image": "https://example.org/map.png"},
        {"custom": {"url": "https://zjzwfw.gov.cn", "title": "浙里办"}},
    ]
    await tg.feed(tg.text("地图"))
    sent = telegram.sent()
    assert sent[0] == ("sendPhoto", {"chat_id": tg.user_id, "photo": "https://example.org/map.png"})
    assert sent[1][1]["text"] == "浙里办"
    assert sent[1][1]["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://zjzwfw.gov.cn"


async def test_deep_links_jump_into_flows(tg, backends, telegram) -> None:
    township = all_townships()[1]
    for text in (
        "/start apply",
        "/start status",
        "/start elder",
        "/start human",
        f"/start station_{township.code}",
        "/start",
        "/start nonsense",
    ):
        await tg.feed(tg.text(text))
    messages = [call["message"] for call in backends.rasa_calls]
    assert messages[:4] == [
        "/apply_assistance",
        "/check_status",
        "/ask_elder_service",
        "/request_human",
    ]
    assert messages[4].startswith("/inform")
    assert json.loads(messages[4].removeprefix("/inform")) == {"township": township.name}
    assert messages[5:] == ["/greet", "/greet"]
    assert all(call["sender"] == tg.sender for call in backends.rasa_calls)


async def test_status_and_human_commands(tg, backends, telegram) -> None:
    await tg.feed(tg.text("/status"))
    await tg.feed(tg.text("/human"))
    assert [c["message"] for c in backends.rasa_calls] == ["/check_status", "/request_human"]
    assert telegram.texts() == ["已收到:/check_status", "已收到:/request_human"]


async def test_unknown_command_is_not_forwarded_as_an_intent(tg, backends, telegram) -> None:
    await tg.feed(tg.text('/inform{"township":"新登镇"}'))
    # not marked as a command by Telegram (leading space), still not an intent for Rasa
    await tg.feed(tg.message(text=' /inform{"township":"新登镇"}'))
    assert backends.rasa_calls == []
    assert len(telegram.texts()) == 2
    assert all(t.startswith("抱歉,没有这个命令。") for t in telegram.texts())


async def test_rasa_down_user_told_and_message_retried(tg, backends, telegram) -> None:
    backends.rasa_down = 2  # first try and first retry fail, second retry succeeds
    await tg.feed(tg.text("我要申请低保"))
    assert telegram.texts() == ["系统暂时繁忙,您的消息已收到,我们会自动重试,请稍候……"]

    await tg.feed(tg.text("我家在新登镇"))  # keeps its place behind the first
    await bridge_of(tg.application).retrier.wait_idle()

    assert [c["message"] for c in backends.rasa_calls] == [
        "我要申请低保",
        "我要申请低保",
        "我要申请低保",
        "我家在新登镇",
    ]
    assert telegram.texts() == [
        "系统暂时繁忙,您的消息已收到,我们会自动重试,请稍候……",
        "上一条消息还在重试中,这条消息已排在它后面,请稍候。",
        "已收到:我要申请低保",
        "已收到:我家在新登镇",
    ]


async def test_rasa_down_for_long_user_asked_to_resend(tg, backends, telegram) -> None:
    backends.rasa_down = 100
    await tg.feed(tg.text("查询进度"))
    await bridge_of(tg.application).retrier.wait_idle()
    assert len(backends.rasa_calls) == 4  # first try + 3 retries
    assert telegram.texts() == [
        "系统暂时繁忙,您的消息已收到,我们会自动重试,请稍候……",
        "抱歉,系统仍然繁忙,您刚才发送的内容没能处理。请过几分钟后重新发送。",
    ]


async def test_group_chats_are_ignored(tg, backends, telegram) -> None:
    data = tg.text("你好")
    data["message"]["chat"] = {"id": -100, "type": "group", "title": "群"}
    await tg.feed(data)
    assert backends.rasa_calls == []
    assert telegram.sent() == []


async def test_error_handler_tells_the_user(tg, backends, telegram) -> None:
    telegram.fail_next(
        "sendMessage",
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: can't parse entities"},
    )
    await tg.feed(tg.text("你好"))
    assert telegram.texts()[-1].startswith("抱歉,处理您的消息时出了点问题")


async def test_updates_run_concurrently_but_one_users_messages_stay_in_order(
    tg, backends, telegram
) -> None:
    backends.rasa_delays["我想申请低保"] = 0.8
    other_user = 777
    await asyncio.gather(
        tg.application.process_update(tg.update(tg.text("我想申请低保"))),
        tg.application.process_update(tg.update(tg.text("我家三口人"))),
        tg.application.process_update(tg.update(tg.text("养老补贴", user_id=other_user))),
    )
    mine = [c["message"] for c in backends.rasa_calls if c["sender"] == tg.sender]
    assert mine == ["我想申请低保", "我家三口人"]
    replies_to_me = [p["text"] for n, p in telegram.sent() if p["chat_id"] == tg.user_id]
    assert replies_to_me == ["已收到:我想申请低保", "已收到:我家三口人"]
    # The other resident was not held up behind the slow reply.
    assert telegram.texts()[0] == "已收到:养老补贴"


async def test_error_log_masks_id_numbers(tg, backends, telegram, caplog) -> None:
    telegram.fail_next(
        "sendMessage",
        400,
        {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: message 330111197003142016 is too long",
        },
    )
    with caplog.at_level("ERROR", logger="channels.telegram.bridge"):
        await tg.feed(tg.text("我的身份证号是330111197003142016"))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "330111********2016" in logged
    assert "330111197003142016" not in logged


async def test_during_a_hand_off_text_goes_to_staff_not_to_rasa(tg, backends, telegram) -> None:
    backends.handoff_users.add(str(tg.user_id))
    await tg.feed(tg.text("我想问一下低保的事"))
    assert backends.rasa_calls == []
    assert backends.handoff_messages == [
        {"channel": "telegram", "channel_user_id": str(tg.user_id), "text": "我想问一下低保的事"}
    ]
    assert telegram.texts() == []  # staff answer through the outbox notifier

    backends.handoff_users.clear()  # closed: the assistant answers again
    await tg.feed(tg.text("谢谢"))
    assert [c["message"] for c in backends.rasa_calls] == ["谢谢"]


async def test_api_down_during_a_hand_off_keeps_the_message_and_retries(
    tg, backends, telegram
) -> None:
    backends.handoff_users.add(str(tg.user_id))
    backends.api_down = 1
    await tg.feed(tg.text("还在吗"))
    await bridge_of(tg.application).retrier.wait_idle()
    assert [m["text"] for m in backends.handoff_messages] == ["还在吗"]
    assert backends.rasa_calls == []
    assert telegram.texts() == ["系统暂时繁忙,您的消息已收到,我们会自动重试,请稍候……"]


async def test_location_button_and_a_shared_location(tg, backends, telegram) -> None:
    backends.rasa_replies["附近有老年食堂吗"] = [
        {
            "text": "您在哪个乡镇(街道)或村(社区)?",
            "buttons": [{"title": "发送位置", "payload": "/share_location"}],
        }
    ]
    await tg.feed(tg.text("附近有老年食堂吗"))
    [(_, params)] = telegram.sent("sendMessage")
    keyboard = params["reply_markup"]["keyboard"]
    assert keyboard == [[{"text": "发送位置", "request_location": True}]]
    assert params["reply_markup"]["one_time_keyboard"] is True

    await tg.feed(tg.message(location={"latitude": 29.8462301, "longitude": 119.6292254}))
    assert backends.rasa_calls[-1] == {
        "sender": tg.sender,
        "message": '/share_location{"latitude": 29.84623, "longitude": 119.629225}',
    }
