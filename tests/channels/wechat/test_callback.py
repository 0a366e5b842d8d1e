"""The callback URL: signatures, plain and 安全模式 messages, passive replies, de-duplication and
the 5-second rule (late answers as 客服消息)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time

from wechatpy.messages import TextMessage

from huimin.townships import all_townships

OPENID = "oHuimin_Resident-0001"
SENDER = f"wechat:{OPENID}"
CUSTOM = "/cgi-bin/message/custom/send"


def short_budget(components, seconds: float = 0.3) -> None:
    bridge = components.bridge
    bridge.options = dataclasses.replace(bridge.options, reply_budget_seconds=seconds)


async def test_url_check_echoes_only_a_signed_request(wx) -> None:
    ok = await wx.client.get("/wechat/callback", params={**wx.query(), "echostr": "8422"})
    assert (ok.status_code, ok.text) == (200, "8422")
    forged = {**wx.query(), "signature": "0" * 40, "echostr": "8422"}
    refused = await wx.client.get("/wechat/callback", params=forged)
    assert refused.status_code == 403
    assert "8422" not in refused.text


async def test_plain_text_in_passive_reply_out(wx, backends, wechat) -> None:
    response = await wx.post(wx.text("低保怎么申请"))

    assert backends.rasa_calls == [{"sender": SENDER, "message": "低保怎么申请"}]
    reply = wx.reply(response)
    assert isinstance(reply, TextMessage)
    assert reply.content == "已收到:低保怎么申请"
    assert (reply.source, reply.target) == ("gh_huimin_fuyang", "oHuimin_Resident-0001")
    assert wechat.sent(CUSTOM) == []  # answered in time: no 客服消息


async def test_encrypted_text_in_encrypted_reply_out(wx, backends) -> None:
    response = await wx.post(wx.text("养老补贴有哪些"), encrypted=True)

    assert backends.rasa_calls == [{"sender": SENDER, "message": "养老补贴有哪些"}]
    assert "<Encrypt>" in response.text
    assert "养老补贴" not in response.text
    assert wx.reply(response, encrypted=True).content == "已收到:养老补贴有哪些"


async def test_forged_requests_are_refused_and_nothing_is_forwarded(wx, backends) -> None:
    xml = wx.text("我要申请低保")
    forged = {**wx.query(), "signature": "f" * 40}
    assert (await wx.post(xml, query=forged)).status_code == 403
    missing = {"timestamp": str(int(time.time())), "nonce": "n"}
    assert (await wx.post(xml, query=missing)).status_code == 403
    stale = wx.query(timestamp=str(int(time.time()) - 3600))  # a correctly signed replay
    assert (await wx.post(xml, query=stale)).status_code == 403

    # 安全模式: a valid URL signature but an encrypted body signed by someone else.
    params = {**wx.query(), "encrypt_type": "aes", "msg_signature": "0" * 40}
    envelope = wx.crypto.encrypt_message(xml, params["nonce"], params["timestamp"])
    refused = await wx.client.post("/wechat/callback", params=params, content=envelope.encode())
    assert refused.status_code == 403
    assert backends.rasa_calls == []


async def test_a_retried_msgid_is_processed_once(wx, backends) -> None:
    xml = wx.text("查询进度", msg_id=990001)
    first = await wx.post(xml)
    again = await wx.post(xml)  # WeChat did not get our answer and retries

    assert [c["message"] for c in backends.rasa_calls] == ["查询进度"]
    assert wx.reply(again).content == wx.reply(first).content == "已收到:查询进度"


async def test_a_slow_dialogue_is_answered_by_customer_service_message(
    wx, components, backends, wechat
) -> None:
    short_budget(components)
    backends.rasa_delays["我家的情况比较复杂"] = 1.5  # longer than the 0.3 s budget
    xml = wx.text("我家的情况比较复杂", msg_id=990002)

    started = time.monotonic()
    response = await wx.post(xml)
    elapsed = time.monotonic() - started
    assert (response.status_code, response.text) == (200, "success")
    assert elapsed < 1.4  # answered at the budget, not a late passive reply
    retry = await wx.post(xml)  # WeChat's retry while the turn is still running
    assert retry.text == "success"

    await components.bridge.wait_idle()
    assert wechat.custom_texts() == ["已收到:我家的情况比较复杂"]
    assert [c["message"] for c in backends.rasa_calls] == ["我家的情况比较复杂"]


async def test_buttons_become_numbered_choices_and_a_number_sends_the_payload(wx, backends) -> None:
    backends.rasa_replies["你好"] = [
        {
            "text": "您想办理哪一项?",
            "buttons": [
                {"title": "申请救助", "payload": "/apply_assistance"},
                {"title": "富春街道", "payload": '/inform{"township":"富春街道"}'},
                {"title": "浙里办", "payload": "https://zjzwfw.gov.cn"},
            ],
        }
    ]
    reply = wx.reply(await wx.post(wx.text("你好")))
    assert reply.content == (
        "您想办理哪一项?\n\n请回复数字选择:\n1. 申请救助\n2. 富春街道\n"
        '<a href="https://zjzwfw.gov.cn">浙里办</a>'
    )

    await wx.post(wx.text("２"))  # a full-width digit from a Chinese keyboard
    assert backends.rasa_calls[-1]["message"] == '/inform{"township":"富春街道"}'
    await wx.post(wx.text("9"))  # not offered: passed on as typed
    assert backends.rasa_calls[-1]["message"] == "9"


async def test_typed_intents_are_not_forwarded(wx, backends) -> None:
    reply = wx.reply(await wx.post(wx.text('/inform{"township":"新登镇"}')))
    assert reply.content.startswith("抱歉,没有这个命令")
    assert backends.rasa_calls == []


async def test_menu_clicks_and_scene_codes_start_the_right_flow(wx, backends) -> None:
    township = all_townships()[2]
    for xml in (
        wx.event("CLICK", "apply"),
        wx.event("CLICK", "check_eligibility"),
        wx.event("CLICK", "ask_policy"),
        wx.event("CLICK", "human"),
        wx.event("subscribe", f"qrscene_station_{township.code}"),  # scanned before following
        wx.event("SCAN", "status"),  # a follower scans
        wx.event("subscribe"),  # followed from search
    ):
        await wx.post(xml, encrypted=True)
    messages = [c["message"] for c in backends.rasa_calls]
    assert messages[:4] == [
        "/apply_assistance",
        "/check_eligibility",
        "/ask_policy",
        "/request_human",
    ]
    assert json.loads(messages[4].removeprefix("/inform")) == {"township": township.name}
    assert messages[5:] == ["/check_status", "/greet"]

    backends.rasa_calls.clear()
    assert (await wx.post(wx.event("unsubscribe"))).text == "success"
    assert (await wx.post(wx.event("CLICK", "no_such_key"))).text == "success"
    assert backends.rasa_calls == []


async def test_two_events_in_the_same_second_are_not_taken_for_a_retry(wx, backends) -> None:
    now = int(time.time())
    await wx.post(wx.event("CLICK", "apply", create_time=now))
    await wx.post(wx.event("CLICK", "apply", create_time=now))  # WeChat's retry
    await wx.post(wx.event("CLICK", "status", create_time=now))  # another event
    assert [c["message"] for c in backends.rasa_calls] == ["/apply_assistance", "/check_status"]


async def test_location_names_the_township(wx, backends) -> None:
    await wx.post(
        wx.xml(
            "location",
            Location_X=30.04,
            Location_Y=119.95,
            Scale=15,
            Label="浙江省杭州市富阳区新登镇城西路",
        )
    )
    message = backends.rasa_calls[-1]["message"]
    assert json.loads(message.removeprefix("/inform")) == {"township": "新登镇"}


async def test_voice_recognition_is_forwarded(wx, backends) -> None:
    await wx.post(wx.xml("voice", MediaId="m1", Format="amr", Recognition="我想申请低保"))
    assert backends.rasa_calls[-1]["message"] == "我想申请低保"


async def test_rasa_down_resident_told_and_the_answer_follows_as_customer_service(
    wx, components, backends, wechat
) -> None:
    backends.rasa_down = 2  # the first try and the first retry fail
    reply = wx.reply(await wx.post(wx.text("我要申请低保")))
    assert reply.content.startswith("系统暂时繁忙")

    await components.bridge.wait_idle()
    assert wechat.custom_texts() == ["已收到:我要申请低保"]
    assert len(backends.rasa_calls) == 3


async def test_one_residents_turns_stay_in_order(wx, components, backends, wechat) -> None:
    short_budget(components)
    backends.rasa_delays["第一句"] = 1.0
    first, second = await asyncio.gather(wx.post(wx.text("第一句")), wx.post(wx.text("第二句")))
    assert first.text == second.text == "success"  # both past the budget
    await components.bridge.wait_idle()
    assert [c["message"] for c in backends.rasa_calls] == ["第一句", "第二句"]
    assert wechat.custom_texts() == ["已收到:第一句", "已收到:第二句"]


async def test_a_long_answer_goes_as_customer_service_messages_in_order(
    wx, components, backends, wechat
) -> None:
    long_text = "\n".join(f"第{i}条:" + "救助政策说明" * 12 for i in range(40))
    backends.rasa_replies["政策全文"] = [{"text": long_text}]
    response = await wx.post(wx.text("政策全文"))
    assert response.text == "success"
    await components.bridge.wait_idle()
    pieces = wechat.custom_texts()
    assert len(pieces) > 1
    assert all(len(p.encode()) <= 2000 for p in pieces)
    assert "\n".join(pieces) == long_text


async def test_an_unexpected_failure_is_a_polite_reply_not_a_500(
    wechat_settings, backends, wechat, callbacks_factory
) -> None:
    import httpx

    from channels.api import ApiClient
    from channels.wechat.app import build_components, make_web_app
    from channels.wechat.store import MemoryStore
    from huimin.rasa_client import RasaClient

    class BrokenStore(MemoryStore):
        async def set(self, key: str, value: str, ttl_seconds: float) -> None:
            raise RuntimeError("store lost")

    components = build_components(
        wechat_settings,
        rasa=RasaClient(wechat_settings.rasa_url),
        api=ApiClient(wechat_settings.api_url, "test-internal"),
        store=BrokenStore(),
        run_notifier=False,
    )
    transport = httpx.ASGITransport(app=make_web_app(components))
    async with httpx.AsyncClient(transport=transport, base_url="http://w") as client:
        wx = callbacks_factory(client)
        response = await wx.post(wx.text("你好"))
        assert response.status_code == 200
        assert wx.reply(response).content.startswith("抱歉,处理您的消息时出了点问题")
    await components.stop()
    assert backends.rasa_calls == []  # not processed without de-duplication


async def test_during_a_hand_off_text_goes_to_staff_not_to_the_assistant(
    wx, backends, wechat
) -> None:
    """人工服务: the assistant is paused; what the resident types is stored on the hand-off and
    staff answer through the outbox (客服消息), so the callback itself answers nothing."""
    backends.handoff_users.add(OPENID)
    response = await wx.post(wx.text("我想问一下低保的事"))

    assert response.text == "success"
    assert backends.rasa_calls == []
    assert backends.handoff_messages == [
        {"channel": "wechat", "channel_user_id": OPENID, "text": "我想问一下低保的事"}
    ]
    backends.handoff_users.clear()  # closed: the assistant answers again
    await wx.post(wx.text("谢谢"))
    assert [call["message"] for call in backends.rasa_calls] == ["谢谢"]
